module github.com/ivadogo/ivadogo

go 1.26

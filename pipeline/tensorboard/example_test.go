package tensorboard_test

import (
	"fmt"
	"log"
	"os"

	"github.com/ivadogo/ivadogo/pipeline/tensorboard"
)

func Example() {
	dir, err := os.MkdirTemp("", "tensorboard")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	w, err := tensorboard.Create(dir)
	if err != nil {
		log.Fatal(err)
	}
	for epoch := int64(1); epoch <= 2; epoch++ {
		err := w.Scalars(epoch,
			tensorboard.Value{Tag: "losses/train_loss", Value: 1 / float64(epoch)},
			tensorboard.Value{Tag: "learning_rate", Value: 0.5})
		if err != nil {
			log.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	files, err := tensorboard.Files(dir)
	if err != nil {
		log.Fatal(err)
	}
	events, err := tensorboard.ReadFile(files[0])
	if err != nil {
		log.Fatal(err)
	}
	for _, ev := range events {
		if ev.FileVersion != "" {
			fmt.Println(ev.FileVersion)
		}
		for _, v := range ev.Values {
			fmt.Println(ev.Step, v.Tag, v.Value)
		}
	}
	// Output:
	// brain.Event:2
	// 1 losses/train_loss 1
	// 1 learning_rate 0.5
	// 2 losses/train_loss 0.5
	// 2 learning_rate 0.5
}

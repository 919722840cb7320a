package bids

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
)

// Table is a tab-separated values file: a header and rows of cells.
// Cells are kept as written (not trimmed); blank lines and lines whose
// cells are all blank are dropped, as ivadomed's readers do.
type Table struct {
	Path    string     // file it was read from, if any
	Columns []string   // header cells, trimmed of spaces
	Rows    [][]string // data rows, in file order
	Lines   []int      // 1-based line number where each row starts
}

// ReadTSVFile reads a TSV file with ReadTSV; errors name the file.
func ReadTSVFile(path string) (*Table, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("bids: %w", err)
	}
	t, err := ParseTSV(b)
	if err != nil {
		return nil, fmt.Errorf("bids: %s: %w", path, err)
	}
	t.Path = path
	return t, nil
}

// ReadTSV reads a tab-separated table from r. See ParseTSV.
func ReadTSV(r io.Reader) (*Table, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return ParseTSV(b)
}

// ParseTSV parses a tab-separated table. It follows the rules of Python's
// csv module with delimiter '\t' (what ivadomed's pandas and the oracle's
// csv reader apply): a UTF-8 byte-order mark is dropped, a cell that
// starts with '"' is quoted (it may hold tabs and newlines, and "" stands
// for one quote), lines end with \n, \r\n or \r. Rows may have fewer or more
// cells than the header; Table.Check reports them. An empty input gives an
// empty table, not an error.
func ParseTSV(b []byte) (*Table, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	recs, lines := splitRecords(b)
	t := &Table{}
	first := true
	for i, r := range recs {
		blank := true
		for _, c := range r {
			if strings.TrimSpace(c) != "" {
				blank = false
				break
			}
		}
		if len(r) == 0 || blank {
			continue
		}
		if first {
			t.Columns = make([]string, len(r))
			for j, c := range r {
				t.Columns[j] = strings.TrimSpace(c)
			}
			first = false
			continue
		}
		t.Rows = append(t.Rows, r)
		t.Lines = append(t.Lines, lines[i])
	}
	return t, nil
}

// Parser states, named as in CPython's Modules/_csv.c.
const (
	startRecord = iota
	startField
	inField
	inQuotedField
	quoteInQuotedField
	eatCRNL
)

// splitRecords runs the csv state machine over b and returns the records
// with the line number each starts on. It is a port of the behaviour, not
// of the code: lines are cut at \n, \r\n or \r, then each line's bytes are
// fed to the machine followed by an end-of-line event.
func splitRecords(b []byte) (recs [][]string, starts []int) {
	var (
		state  = startRecord
		field  []byte
		fields []string
		line   = 0
		start  = 1
	)
	save := func() {
		fields = append(fields, string(field))
		field = field[:0]
	}
	for len(b) > 0 {
		// Cut one line, keeping its terminator.
		n := len(b)
		for i, c := range b {
			if c == '\n' {
				n = i + 1
				break
			}
			if c == '\r' {
				n = i + 1
				if i+1 < len(b) && b[i+1] == '\n' {
					n = i + 2
				}
				break
			}
		}
		ln := b[:n]
		b = b[n:]
		line++
		if state == startRecord {
			start = line
		}
		for k := 0; k <= len(ln); k++ {
			eol := k == len(ln)
			var c byte
			if !eol {
				c = ln[k]
			}
			nl := !eol && (c == '\n' || c == '\r')
			switch state {
			case startRecord:
				if eol {
					// An empty line is an empty record.
					recs = append(recs, fields)
					starts = append(starts, start)
					fields = nil
					continue
				}
				if nl {
					state = eatCRNL
					continue
				}
				state = startField
				fallthrough
			case startField:
				switch {
				case eol || nl:
					save()
					state = endState(eol)
				case c == '"':
					state = inQuotedField
				case c == '\t':
					save()
				default:
					field = append(field, c)
					state = inField
				}
			case inField:
				switch {
				case eol || nl:
					save()
					state = endState(eol)
				case c == '\t':
					save()
					state = startField
				default:
					field = append(field, c)
				}
			case inQuotedField:
				switch {
				case eol:
				case c == '"':
					state = quoteInQuotedField
				default:
					field = append(field, c)
				}
			case quoteInQuotedField:
				switch {
				case !eol && c == '"':
					field = append(field, c)
					state = inQuotedField
				case !eol && c == '\t':
					save()
					state = startField
				case eol || nl:
					save()
					state = endState(eol)
				default:
					field = append(field, c)
					state = inField
				}
			case eatCRNL:
				if eol {
					state = startRecord
				}
			}
			if state == startRecord && (eol || nl) {
				// endState(true) gives startRecord: the record is complete.
				recs = append(recs, fields)
				starts = append(starts, start)
				fields = nil
			}
		}
	}
	// Input ending inside a quoted field: keep what was read, as the
	// non-strict csv reader does.
	if state == inQuotedField || len(field) > 0 || len(fields) > 0 {
		if state == inQuotedField || len(field) > 0 {
			save()
		}
		recs = append(recs, fields)
		starts = append(starts, start)
	}
	return recs, starts
}

func endState(eol bool) int {
	if eol {
		return startRecord
	}
	return eatCRNL
}

// Col returns the index of the first column with the given name, or -1.
func (t *Table) Col(name string) int {
	for i, c := range t.Columns {
		if c == name {
			return i
		}
	}
	return -1
}

// Cell returns row i's cell in the named column, trimmed of spaces, and
// whether the row has that cell.
func (t *Table) Cell(i int, col string) (string, bool) {
	j := t.Col(col)
	if j < 0 || j >= len(t.Rows[i]) {
		return "", false
	}
	return strings.TrimSpace(t.Rows[i][j]), true
}

// Check reports rows whose number of cells differs from the header's, and
// a header with repeated or empty column names, one message per problem,
// each naming the file and line.
func (t *Table) Check() []string {
	var out []string
	name := t.Path
	if name == "" {
		name = "table"
	}
	seen := map[string]bool{}
	for _, c := range t.Columns {
		if c == "" {
			out = append(out, fmt.Sprintf("%s: line 1: empty column name", name))
		} else if seen[c] {
			out = append(out, fmt.Sprintf("%s: line 1: column %q appears twice", name, c))
		}
		seen[c] = true
	}
	for i, r := range t.Rows {
		if len(r) != len(t.Columns) {
			out = append(out, fmt.Sprintf("%s: line %d: %d cells, header has %d", name, t.Lines[i], len(r), len(t.Columns)))
		}
	}
	return out
}

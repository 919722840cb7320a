package bids

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
)

// indexDerivatives lists the images under each derivatives/<pipeline>/
// folder and matches them to raw images by ivadomed's naming rule: a
// derivative whose stem is <raw stem>_<more> is a label of every raw
// image with that stem (the longest such stem wins), wherever it is filed.
func (d *Dataset) indexDerivatives() error {
	stems := map[string][]*Image{}
	for _, im := range d.Images {
		stems[im.Stem] = append(stems[im.Stem], im)
	}
	entries, err := os.ReadDir(d.Abs("derivatives"))
	if err != nil {
		return nil // no derivatives
	}
	suffixes := map[string]bool{}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || !isDir(d.Abs("derivatives/"+name), e) {
			continue
		}
		p := &Pipeline{Name: name}
		root := "derivatives/" + name
		p.HasDescription = fileExists(d.Abs(root + "/dataset_description.json"))
		walk(d.Root, root, func(w Warning) { d.Warnings = append(d.Warnings, w) }, func(rel string, e fs.DirEntry) {
			if e.IsDir() || !IsImage(e.Name()) {
				return
			}
			im := &Image{Name: ParseName(e.Name()), Path: rel, Datatype: path.Base(path.Dir(rel)), Pipeline: name}
			if info, err := e.Info(); err == nil {
				im.Size = info.Size()
			}
			hasFolder := false
			for _, part := range strings.Split(rel, "/") {
				if strings.HasPrefix(part, "sub-") {
					im.FolderSubject, hasFolder = part[len("sub-"):], true
					break
				}
			}
			// A derivative's sidecar is only looked up by stem.
			if sc := path.Dir(rel) + "/" + im.Stem + ".json"; fileExists(d.Abs(sc)) {
				im.Sidecar = sc
			}
			best := sourceStem(im.Stem, stems)
			if best != "" {
				im.LabelSuffix = im.Stem[len(best):]
				suffixes[im.LabelSuffix] = true
				for _, src := range stems[best] {
					im.Sources = append(im.Sources, src.Path)
					sub, hasSub := src.Get("sub")
					src.Labels = append(src.Labels, Label{
						Suffix:          im.LabelSuffix,
						Pipeline:        name,
						Path:            rel,
						InSubjectFolder: hasFolder == hasSub && im.FolderSubject == sub,
					})
				}
			}
			if sub, ok := im.Get("sub"); best != "" && ok {
				// The oracle's folder_subject may come from the file name
				// itself; the warning looks at folders only.
				folder := ""
				for _, part := range strings.Split(path.Dir(rel), "/") {
					if strings.HasPrefix(part, "sub-") {
						folder = part
						break
					}
				}
				switch {
				case folder == "":
					d.warn(rel, "label of sub-%s filed outside any subject folder; matched by name", sub)
				case folder != "sub-"+sub:
					d.warn(rel, "label of sub-%s filed in %s's folder; matched by name", sub, folder)
				}
			}
			p.Images = append(p.Images, im)
			d.byPath[rel] = im
		})
		var orphans []string
		for _, im := range p.Images {
			if im.Sources == nil {
				orphans = append(orphans, path.Base(im.Path))
			}
		}
		if n := len(orphans); n > 0 {
			more := ""
			if n > 3 {
				more = fmt.Sprintf(" and %d more", n-3)
				orphans = orphans[:3]
			}
			d.warn(root, "%d images are named after no raw image (<raw stem>_<label suffix>), so are no labels: %s%s", n, strings.Join(orphans, ", "), more)
		}
		d.Derivatives = append(d.Derivatives, p)
	}
	for s := range suffixes {
		d.LabelSuffixes = append(d.LabelSuffixes, s)
	}
	sort.Strings(d.LabelSuffixes)
	for _, im := range d.Images {
		sort.SliceStable(im.Labels, func(i, j int) bool {
			a, b := im.Labels[i], im.Labels[j]
			if a.Suffix != b.Suffix {
				return a.Suffix < b.Suffix
			}
			return a.Path < b.Path
		})
	}
	return nil
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// sourceStem returns the longest raw stem s such that stem starts with
// s+"_", or "". Only the prefixes of stem that end before a '_' can match,
// so this looks at each of them rather than at every raw stem.
func sourceStem(stem string, stems map[string][]*Image) string {
	for i := len(stem) - 1; i > 0; i-- {
		if stem[i] == '_' {
			if _, ok := stems[stem[:i]]; ok {
				return stem[:i]
			}
		}
	}
	return ""
}

// Labels returns, for each raw image with labels, its path and labels:
// the labels_by_image table of the oracle.
func (d *Dataset) LabelsByImage() map[string][]Label {
	m := map[string][]Label{}
	for _, im := range d.Images {
		if len(im.Labels) > 0 {
			m[im.Path] = im.Labels
		}
	}
	return m
}

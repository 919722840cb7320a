#!/usr/bin/python3
"""Write tsv.json: how Python's csv module (delimiter '\\t', the reader of
ivadomed's tables and of make_bids_oracle.py) splits tricky TSV inputs,
for bids/tsv_test.go. Standard library only: python3 make_tsv.py
"""
import csv
import io
import json

inputs = [
    "a\tb\n1\t2\n",
    "a\tb\r\n1\t2\r\n",
    "a\tb\r1\t2\r",
    "a\tb\n1\t2",
    "\ufeffparticipant_id\tage\nsub-01\t3\n",
    "a\tb\n\n1\t2\n\n\n",
    "a\tb\n \t \n1\t2\n",
    "a\tb\n1\n1\t2\t3\n",
    'a\tb\n"x\ty"\t2\n',
    'a\tb\n"x""y"\t2\n',
    'a\tb\n"multi\nline"\t2\n',
    'a\tb\n"open\t2\n',
    'a\tb\nx"y\t2\n',
    'a\tb\n"q"tail\t2\n',
    '"h1"\t"h2"\nv1\tv2\n',
    "a\t\tc\n\t\t\n1\t\t3\n",
    "  a  \t b\nx\ty\n",
    "a\tb\n1\t2\r\n3\t4\n",
    "",
    "\n\n",
    "only header\n",
    'a\n""\n',
    'a\tb\n"x"\r\n',
]
cases = []
for s in inputs:
    rows = list(csv.reader(io.StringIO(s.lstrip('\ufeff'), newline=''), delimiter='\t'))
    cases.append({'input': s, 'records': rows})
with open('tsv.json', 'w') as f:
    json.dump(cases, f, indent=0, ensure_ascii=False)
    f.write('\n')

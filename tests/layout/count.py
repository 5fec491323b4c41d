#!/usr/bin/env python3
"""Counts, from `budgetgen dump --pages`, what a finance officer would object to on the printed pages
of each department: project sheets (per-project PDFs) that take more than one page, lines that hold a
single character alone at the end of a cell, title or 目录 entry (a widow: one character, perhaps
with closing punctuation after it), and codes, amounts and document numbers of the tables that are
not printed whole on one line.

Usage: count.py [--check] [--max-widows N] BUDGETGEN FILE...
Prints one line per file; with --check exits 1 when any file has more than N widows in all (default
0), a broken code/amount, or a project sheet that breaks leaving fewer than three rows on a page.
(A sheet that the layout could set on one page but did not shows in tests/layout/fit-smaller.)"""
import json
import re
import subprocess
import sys

# a text line of the dump: "  123.4 run | run | run"
LINE = re.compile(r'^\s+(\d+\.\d) (.*)$')
CLOSERS = '，。、；：？！）》」』”’〕】%％,.;:?!)'
# units that must never be broken: codes and numbers (13022524P0008F010032K, 10544.51, 2017),
# document numbers (冀财资[2017]674号, 邢人社发〔2019〕11号: the bracket to 号)
TOKEN = re.compile(r'[\[〔（(]\d{4}[\]〕）)]\d+号|[0-9A-Za-z][0-9A-Za-z.]*[0-9A-Za-z]')


def run(args):
	return subprocess.run(args, capture_output=True, text=True, check=False).stdout


def widows(pages, singles):
	"""Segments of the dump's text lines that are one character (not a digit: page numbers, 栏次,
	序号) with only closing punctuation after it, except folios and cells whose whole text is that."""
	out = []
	for line in pages.splitlines():
		m = LINE.match(line)
		if not m:
			continue
		segs = m.group(2).split(' | ')
		if segs == ['目', '录'] or segs[0] == '—':
			continue
		for s in segs:
			core = s.rstrip(CLOSERS)
			if len(core) == 1 and not core.isdigit() and core not in '·—' and s not in singles:
				out.append((m.group(1), s, m.group(2)))
	return out


def texts_of(tables):
	try:
		doc = json.loads(tables)
	except ValueError:
		return []
	out = []
	for t in doc.get('tables', []):
		out.append(t.get('title', ''))
		for row in t.get('rows', []):
			out.extend(row)
	return out


def broken_tokens(pages, texts):
	lines = [LINE.match(l) for l in pages.splitlines()]
	segs = set()
	for m in lines:
		if m:
			segs.update(m.group(2).split(' | '))
	whole = '\n'.join(segs)
	bad = []
	for text in texts:
		for tok in TOKEN.findall(text):
			if len(tok) >= 3 and tok not in whole:
				bad.append(tok)
	return bad


def main(argv):
	check = '--check' in argv
	argv = [a for a in argv if a != '--check']
	max_widows = 0
	if '--max-widows' in argv:
		i = argv.index('--max-widows')
		max_widows = int(argv[i + 1])
		del argv[i:i + 2]
	bg, files = argv[0], argv[1:]
	failed = False
	for f in files:
		model = json.loads(run([bg, 'dump', '--json', f]) or '{}')
		nproj = len(model.get('projects', []))
		tables = run([bg, 'dump', '--tables', f])
		texts = texts_of(tables)
		singles = {t for t in texts if len(t.rstrip(CLOSERS)) == 1}
		book = run([bg, 'dump', '--pages', f])
		w = widows(book, singles)
		bad = broken_tokens(book, texts)
		two = []
		short = []
		pw = 0
		for n in range(1, nproj + 1):
			p = run([bg, 'dump', '--pages', '--project', str(n), f])
			if len(re.findall(r'^page \d+', p, re.M)) > 1:
				two.append(n)
				# a sheet that breaks keeps three rows or more on its continuation page
				for a, b in re.findall(r'rows (\d+)-(\d+) after repeated header', p):
					if int(b) - int(a) + 1 < 3:
						short.append(n)
			pw += len(widows(p, singles))
		print(f'{f}: {nproj} projects, {len(two)} two-page project sheets {two}, '
		      f'{len(w)} widows in the booklet, {pw} in the project sheets, '
		      f'{len(bad)} codes/amounts broken {sorted(set(bad))[:8]}')
		if '-v' in sys.argv:
			for y, s, l in w:
				print(f'    {y} {s!r}: {l}')
		if len(w) + pw > max_widows or bad or short:
			if check:
					print(f'  FAIL: widows {len(w) + pw} > {max_widows}, or broken {bad}, or sheets '
				      f'{short} leave fewer than three rows on a page')
			failed = True
	return 1 if check and failed else 0


if __name__ == '__main__':
	sys.exit(main([a for a in sys.argv[1:] if a != '-v']))

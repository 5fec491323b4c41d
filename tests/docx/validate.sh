#!/bin/sh
# tests/docx/validate.sh — validates every part of every .docx under DIR against the ISO/IEC 29500
# RELAX NG schemas with jing, the way Word's strict reader checks them (element order inside
# w:pPr, w:tcPr …, attribute values): word/document.xml, styles.xml, settings.xml, footer*.xml,
# header*.xml, numbering.xml, fontTable.xml and docProps/app.xml, each part that exists.
#
# usage: validate.sh DIR
# Prints jing's messages, with "FILE.docx!part" in place of the unpacked path, and nothing at all
# when every part is valid; exits 1 on any message, 2 when jing, unzip or the schemas are missing.
# Schemas: $OOXML_SCHEMAS, default ../shared/ooxml-schemas beside the repository (as CI clones it;
# tests/common.sh). tests/docx/run.sh skips this check when a plain clone has no schemas.

root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/common.sh"
schemas=$OOXML_SCHEMAS
dir=${1:?usage: validate.sh DIR}

for tool in jing unzip; do
	command -v "$tool" >/dev/null 2>&1 || { echo "validate.sh: $tool is not installed" >&2; exit 2; }
done
[ -f "$schemas/WordprocessingML_Main_Document.rnc" ] ||
	{ echo "validate.sh: no schemas in $schemas" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/docx-validate.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

# Unpack each package into $tmp/N and remember N → its path for the messages.
n=0
find "$dir" -name '*.docx' | sort >"$tmp/list"
while IFS= read -r f; do
	n=$((n + 1))
	mkdir "$tmp/$n"
	if ! unzip -q "$f" -d "$tmp/$n" 2>"$tmp/unzip.err"; then
		echo "$f: not a zip package: $(cat "$tmp/unzip.err")"
		echo 1 >"$tmp/bad"
	fi
	printf 's|%s/%s/|%s!|g\n' "$tmp" "$n" "$(printf '%s' "$f" | sed 's/[|&\\]/\\&/g')" >>"$tmp/names.sed"
done <"$tmp/list"
[ "$n" -gt 0 ] || { echo "validate.sh: no .docx under $dir" >&2; exit 2; }

# One jing run per schema over the matching parts of every package (jing starts a JVM).
check() { # SCHEMA PART-PATTERN
	parts=$(cd "$tmp" && ls -d [0-9]*/$2 2>/dev/null)
	[ -n "$parts" ] || return 0
	# shellcheck disable=SC2086
	(cd "$tmp" && jing -c "$schemas/$1" $parts) 2>&1 |
		grep -v '^\[warning\] .*jing: Unable to locate' |
		sed "s|^\($tmp/\)\{0,1\}\([0-9]*\)/|$tmp/\2/|" | sed -f "$tmp/names.sed" >"$tmp/out"
	if [ -s "$tmp/out" ]; then
		cat "$tmp/out"
		echo 1 >"$tmp/bad"
	fi
}

check WordprocessingML_Main_Document.rnc 'word/document.xml'
check WordprocessingML_Style_Definitions.rnc 'word/styles.xml'
check WordprocessingML_Document_Settings.rnc 'word/settings.xml'
check WordprocessingML_Footer.rnc 'word/footer*.xml'
check WordprocessingML_Header.rnc 'word/header*.xml'
check WordprocessingML_Numbering_Definitions.rnc 'word/numbering.xml'
check WordprocessingML_Font_Table.rnc 'word/fontTable.xml'
check Shared_Extended_File_Properties.rnc 'docProps/app.xml'

[ ! -f "$tmp/bad" ]

# tests/common.sh — sourced by the shell tests (with $root set to the repository): where the data
# that is not part of the repository is found, the same way as tests/common.py's shared_data():
#   SEEDS_DIR      the seed documents input/ was transcribed from (round trips, tests/budget)
#   OOXML_SCHEMAS  the ISO/IEC 29500 RELAX NG schemas (jing in tests/docx, tests/xlsx)
# each defaulting to ../shared/<name> beside the repository, as CI clones it. A plain clone has no
# ../shared: the checks that need it are skipped (a line "SKIP: N …, why" and ", K skipped" in the
# summary, which tests/run-all.sh lists at the end). A directory named in the environment must
# exist: a wrong SEEDS_DIR or OOXML_SCHEMAS fails instead of skipping.

seeds_given=${SEEDS_DIR:+1}
SEEDS_DIR=${SEEDS_DIR:-$(cd "$root/.." && pwd)/shared/seeds}
schemas_given=${OOXML_SCHEMAS:+1}
OOXML_SCHEMAS=${OOXML_SCHEMAS:-$(cd "$root/.." && pwd)/shared/ooxml-schemas}

# shared_data VAR — whether the directory in $VAR (SEEDS_DIR or OOXML_SCHEMAS) is there:
# status 0 when it is, 1 when it is absent and was not asked for (skip the checks; the reason is
# in $shared_why), 2 when it was set in the environment and is absent (fail; the same message).
shared_data() {
	eval "_sd_dir=\$$1"
	case $1 in
	SEEDS_DIR) _sd_given=$seeds_given _sd_what="seed documents" ;;
	*) _sd_given=$schemas_given _sd_what="ISO/IEC 29500 schemas" ;;
	esac
	[ -d "$_sd_dir" ] && return 0
	if [ -n "$_sd_given" ]; then
		shared_why="$1=$_sd_dir: no such directory"
		return 2
	fi
	shared_why="no $_sd_what: $_sd_dir does not exist (set $1, or clone shared/ beside the repository)"
	return 1
}

# summary_line PASSED FAILED [SKIPPED] — the last line of a test, as tests/run-all.sh reads it
summary_line() {
	if [ "${3:-0}" -gt 0 ]; then
		echo "$1 passed, $2 failed, $3 skipped"
	else
		echo "$1 passed, $2 failed"
	fi
}

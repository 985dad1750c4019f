# tests: what all the tests share.  Each folder under tests/ keeps its
# rules in its own local.mk (tests/README.md says what each holds).
EXTRA_DIST += tests/README.md ci-test.sh demo.sh .ci/run

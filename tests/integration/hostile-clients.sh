#!/usr/bin/env bash
. "$TESTS_SRCDIR/integration/lib.sh"
done_testing

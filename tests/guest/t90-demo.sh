#!/bin/sh
# The make-vm demo runs end to end (so it cannot rot) and its table says
# sendfile and splice went zero-copy.
. /tests/sgnic.sh
SGNIC_DEMO_SIZE=$(bulk 8M) sh /tests/demo.sh >/tmp/demo.out 2>&1 || { cat /tmp/demo.out >&2; die "demo failed"; }
grep -q '"method":"sendfile"' /out/copy-table.json || die "no sendfile row in copy-table.json"

#!/bin/sh
# The zero-copy claim, measured: with SG + checksum + TSO on, at least 99%
# of a 64 MiB sendfile()/splice() payload reaches the device as page-cache
# fragments; read()+write() sends 0% that way. Data always matches.
. /tests/sgnic.sh
setup_wire
ethtool -K "$IF0" sg on tx on tso on
# On the debug kernel 4 MiB (about 2,900 segments) per method: the
# fraction is the same, at half the time of bulk's 8 MiB.
size=$(bulk 64M)
debug_kernel && size=4M
sgnic-test mkfile /tmp/t30 $size --seed 30 >/dev/null
size=$(stat -c %s /tmp/t30)
for method in sendfile splice read-write mmap-write; do
	before=$(counter "$IF0" tx_pagecache_bytes)
	re0=$(retransmits)
	transfer /tmp/t30 $method forward >/dev/null
	delta=$(($(counter "$IF0" tx_pagecache_bytes) - before))
	# A retransmitted segment is mapped, and counted, again (receive
	# overruns under TCG): at most one MSS of payload each.
	resent=$(($(retransmits) - re0))
	pct=$((delta * 100 / size))
	echo "$method: $delta page-cache bytes ($pct%)" >&2
	case $method in
	sendfile | splice)
		[ $((delta * 100)) -ge $((size * 99)) ] || die "$method: only $pct% of the payload came from page-cache frags"
		[ "$delta" -le $((size + size / 20 + resent * 1448)) ] ||
			die "$method: $delta page-cache bytes for a $size-byte file ($resent segments retransmitted)"
		;;
	*) [ "$delta" -eq 0 ] || die "$method: $delta bytes counted as page cache, expected 0" ;;
	esac
done
rm -f /tmp/t30

#!/bin/sh
# Without scatter-gather (ethtool -K sg off, or tx off, which takes SG
# with it), sendfile still works and the data matches, but no payload
# reaches the device as page-cache frags: the kernel copies it, as the
# seeds describe for a NIC without SG-DMA.
. /tests/sgnic.sh
setup_wire
sgnic-test mkfile /tmp/t32 $(bulk 16M) --seed 32 >/dev/null
for off in "sg off" "tx off"; do
	ethtool -K "$IF0" $off || die "ethtool -K $off failed"
	before=$(counter "$IF0" tx_pagecache_bytes)
	transfer /tmp/t32 sendfile forward >/dev/null
	delta=$(($(counter "$IF0" tx_pagecache_bytes) - before))
	[ "$delta" -eq 0 ] || die "$off: $delta page-cache bytes, expected 0"
	ethtool -K "$IF0" sg on tx on tso on
done
before=$(counter "$IF0" tx_pagecache_bytes)
transfer /tmp/t32 sendfile forward >/dev/null
[ $(($(counter "$IF0" tx_pagecache_bytes) - before)) -gt 0 ] || die "page-cache frags did not come back with sg on"
rm -f /tmp/t32

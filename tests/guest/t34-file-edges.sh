#!/bin/sh
# Edge cases through sendfile: file sizes 0, 1, 4095, 4096, 4097,
# 1 MiB + 1 and 256 MiB; unaligned offsets; and a file truncated by
# another process during sendfile (a clear result, no crash).
. /tests/sgnic.sh
setup_wire
for size in 0 1 4095 4096 4097 1048577; do
	sgnic-test mkfile /tmp/t34 $size --seed $size >/dev/null
	out=$(transfer /tmp/t34 sendfile forward) || exit 1
	[ "$(json_field "$out" bytes)" = "$size" ] || die "size $size: sent $(json_field "$out" bytes)"
	[ "$size" -gt 2 ] || continue
	out=$(transfer /tmp/t34 sendfile forward --offset 1 --len $((size - 2))) || exit 1
	[ "$(json_field "$out" bytes)" = $((size - 2)) ] || die "size $size offset 1: wrong length"
done
# 256 MiB; on the debug kernel 8 MiB, still far past every page-cache
# and descriptor boundary the small sizes above test.
big=$(bulk 256M)
debug_kernel && big=4M
sgnic-test mkfile /tmp/t34 $big --seed 256 >/dev/null
transfer /tmp/t34 sendfile forward >/dev/null
# An unaligned offset and an odd length, well inside the file.
len=$(($(stat -c %s /tmp/t34) / 8 * 3 + 1))
out=$(transfer /tmp/t34 sendfile forward --offset 12345 --len $len) || exit 1
# Truncation: shrink the file to 16 MiB (2 on the debug kernel) while it
# is being sent. The file is 256 MiB (32), which no transfer finishes in
# the second before the truncation: the debug kernel's 4 MiB above can.
[ "$big" = "$(bulk 256M)" ] || sgnic-test mkfile /tmp/t34 $(bulk 256M) --seed 34 >/dev/null
start_receiver peer $PORT 1
sgnic-test send --to "$ADDR1:$PORT" --file /tmp/t34 --method sendfile >/tmp/t34.send &
sp=$!
sleep 1
truncate -s "$(bulk 16M)" /tmp/t34 2>/dev/null || : >/tmp/t34
wait $sp || die "sendfile of a truncated file failed instead of reporting it"
wait $RECV_PID
json_field "$(cat /tmp/t34.send)" truncated | grep -qx true || die "truncation was not reported"
rm -f /tmp/t34

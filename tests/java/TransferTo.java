// SPDX-License-Identifier: GPL-2.0
//
// Kafka's send path in miniature: FileChannel.transferTo() to a
// SocketChannel, which the JDK turns into sendfile(2) on Linux. Used by the
// make-vm demo for the copy table's java-transferto row.
//
// Usage: java TransferTo HOST PORT FILE
// It connects, prints "ready", and waits for a line "go" on stdin; then it
// sends the whole file, half-closes, waits for the peer to close, prints
// one JSON line and waits for any line on stdin before it exits. The
// demo's phase marks (sync) go between those lines, so the JVM's start-up
// and exit fall outside the measured phase.

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;

public final class TransferTo {
    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: java TransferTo HOST PORT FILE");
            System.exit(2);
        }
        BufferedReader control = new BufferedReader(new InputStreamReader(System.in));
        InetSocketAddress peer = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        try (FileChannel file = FileChannel.open(Paths.get(args[2]), StandardOpenOption.READ);
                SocketChannel socket = SocketChannel.open(peer)) {
            long size = file.size();
            System.out.println("ready");
            System.out.flush();
            if (!"go".equals(control.readLine())) {
                throw new IOException("no go on stdin");
            }
            long start = System.nanoTime();
            long sent = 0;
            long calls = 0;
            while (sent < size) {
                long n = file.transferTo(sent, size - sent, socket);
                calls++;
                if (n <= 0) {
                    throw new IOException("transferTo moved nothing at offset " + sent);
                }
                sent += n;
            }
            socket.shutdownOutput();
            // The peer closes once it has every byte.
            ByteBuffer sink = ByteBuffer.allocate(64);
            while (socket.read(sink) >= 0) {
                sink.clear();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.println("{\"method\":\"java-transferto\",\"bytes\":" + sent
                    + ",\"seconds\":" + seconds + ",\"transfer_calls\":" + calls + "}");
            System.out.flush();
            control.readLine();
        }
    }
}

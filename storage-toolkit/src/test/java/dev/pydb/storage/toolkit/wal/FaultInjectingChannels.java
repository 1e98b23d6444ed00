package dev.pydb.storage.toolkit.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.FileSystemException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link ChannelOpener} whose channels fail on command: writes past a byte budget fail with
 * ENOSPC (after writing what fits, as a real full disk does), a force fails with EIO, a force
 * blocks until released, a new file cannot be created. Counts forces and remembers the highest
 * offset a completed force covered. Shared with the backends' tests through the toolkit's test-jar.
 */
public final class FaultInjectingChannels implements ChannelOpener {
    /** Bytes that writes may still add to the files; negative: unlimited. */
    public final AtomicLong spaceLeft = new AtomicLong(-1);
    /** How many of the next forces fail. */
    public final AtomicInteger failingForces = new AtomicInteger();
    /** How many of the next file creations fail with ENOSPC. */
    public final AtomicInteger failingCreations = new AtomicInteger();
    public final AtomicInteger forces = new AtomicInteger();
    /** The end of the written data as of the last completed force, per channel (last one wins). */
    public final AtomicLong forcedEnd = new AtomicLong();
    private volatile CountDownLatch forceGate;
    private volatile CountDownLatch forceEntered = new CountDownLatch(0);

    /** The next forces block until {@link #openForces()}; {@link #awaitForceEntered} waits for one to be blocked. */
    public void holdForces() {
        forceEntered = new CountDownLatch(1);
        forceGate = new CountDownLatch(1);
    }

    public void openForces() {
        CountDownLatch gate = forceGate;
        forceGate = null;
        if (gate != null) {
            gate.countDown();
        }
    }

    public boolean awaitForceEntered() throws InterruptedException {
        return forceEntered.await(30, TimeUnit.SECONDS);
    }

    public static IOException noSpace(Path file) {
        return new FileSystemException(file.toString(), null, "No space left on device");
    }

    @Override
    public FileChannel open(Path file, Set<? extends OpenOption> options) throws IOException {
        if (options.contains(StandardOpenOption.CREATE) && failingCreations.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw noSpace(file);
        }
        return new Channel(file, ChannelOpener.DEFAULT.open(file, options));
    }

    private final class Channel extends FileChannel {
        private final Path file;
        private final FileChannel delegate;

        Channel(Path file, FileChannel delegate) {
            this.file = file;
            this.delegate = delegate;
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            int allowed = allowed(src.remaining());
            if (allowed < src.remaining()) {
                ByteBuffer part = src.duplicate();
                part.limit(part.position() + allowed);
                int n = delegate.write(part, position);
                src.position(src.position() + n);
                throw noSpace(file);
            }
            return delegate.write(src, position);
        }

        private int allowed(int wanted) {
            while (true) {
                long left = spaceLeft.get();
                if (left < 0) {
                    return wanted;
                }
                int allowed = (int) Math.min(left, wanted);
                if (spaceLeft.compareAndSet(left, left - allowed)) {
                    return allowed;
                }
            }
        }

        @Override
        public void force(boolean metaData) throws IOException {
            CountDownLatch gate = forceGate;
            if (gate != null) {
                forceEntered.countDown();
                try {
                    if (!gate.await(60, TimeUnit.SECONDS)) {
                        throw new IOException("the test never released the force");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
            if (failingForces.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new IOException("Input/output error");
            }
            delegate.force(metaData);
            forces.incrementAndGet();
            forcedEnd.set(delegate.size());
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return delegate.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return delegate.read(dsts, offset, length);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            throw new UnsupportedOperationException("the log writes at positions only");
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            throw new UnsupportedOperationException("the log writes at positions only");
        }

        @Override
        public long position() throws IOException {
            return delegate.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            delegate.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return delegate.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            delegate.truncate(size);
            return this;
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return delegate.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            return delegate.transferFrom(src, position, count);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return delegate.read(dst, position);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return delegate.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return delegate.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return delegate.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            delegate.close();
        }
    }
}

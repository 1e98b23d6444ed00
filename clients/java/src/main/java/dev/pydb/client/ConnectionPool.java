package dev.pydb.client;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A fixed number of connection slots used round-robin; a slot opens its connection lazily and
 * replaces it once it has closed. Requests share a connection (they are pipelined), so a slot is
 * never "checked out".
 */
final class ConnectionPool implements AutoCloseable {
    private final Supplier<Connection> opener;
    private final List<Slot> slots;
    private final AtomicInteger next = new AtomicInteger();
    private volatile boolean closed;

    ConnectionPool(int size, Supplier<Connection> opener) {
        this.opener = requireNonNull(opener, "opener is null");
        List<Slot> list = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            list.add(new Slot());
        }
        this.slots = List.copyOf(list);
    }

    /** An open connection, opening one if its slot has none; throws {@link ConnectionFailedException}. */
    Connection acquire() {
        Slot slot = slots.get(Math.floorMod(next.getAndIncrement(), slots.size()));
        synchronized (slot) {
            if (closed) {
                throw new ConnectionFailedException("the client is closed", null);
            }
            if (slot.connection == null || !slot.connection.isOpen()) {
                slot.connection = opener.get();
            }
            return slot.connection;
        }
    }

    /** How many slots hold an open connection. */
    int openConnections() {
        int open = 0;
        for (Slot slot : slots) {
            synchronized (slot) {
                if (slot.connection != null && slot.connection.isOpen()) {
                    open++;
                }
            }
        }
        return open;
    }

    @Override
    public void close() {
        closed = true;
        for (Slot slot : slots) {
            synchronized (slot) {
                if (slot.connection != null) {
                    slot.connection.close();
                    slot.connection = null;
                }
            }
        }
    }

    private static final class Slot {
        Connection connection;
    }
}

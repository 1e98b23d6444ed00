package dev.pydb.bench;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/** Picks the key of the next request: uniformly at random from the key space, or in order (for the preload). */
interface KeyChooser {
    long next(SplittableRandom random);

    static KeyChooser uniform(long keySpace) {
        return random -> random.nextLong(keySpace);
    }

    /** 0, 1, 2, ... shared by all connections, so each key is written once. */
    static KeyChooser sequential() {
        AtomicLong next = new AtomicLong();
        return random -> next.getAndIncrement();
    }
}

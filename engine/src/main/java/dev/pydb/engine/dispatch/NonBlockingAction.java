package dev.pydb.engine.dispatch;

/**
 * Marks one of the engine's own actions that only reads and never waits (no commit, no password
 * hashing, no lock held by a writer), so an event-loop transport may run it on the loop thread.
 * Honoured only for classes of the engine itself: plugin actions always run on a worker.
 */
public interface NonBlockingAction {}

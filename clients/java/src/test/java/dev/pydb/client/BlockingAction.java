package dev.pydb.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.action.Permission;
import dev.pydb.api.action.RequestContext;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code TEST_BLOCK}: a test action (on the class path, so every test server has it) that
 * signals {@link #entered} and then waits until {@link #release} is opened, to keep a request in
 * flight while a test stops the server or lets the client time out.
 */
public final class BlockingAction implements ActionHandler {
    static volatile CountDownLatch entered = new CountDownLatch(1);
    static volatile CountDownLatch release = new CountDownLatch(1);

    /** Fresh latches for the next test. */
    static void reset() {
        release.countDown();
        entered = new CountDownLatch(1);
        release = new CountDownLatch(1);
    }

    @Override
    public String action() {
        return "TEST_BLOCK";
    }

    @Override
    public Permission permission() {
        return Permission.NONE;
    }

    @Override
    public JsonNode handle(RequestContext context, ObjectNode request) {
        CountDownLatch myRelease = release;
        entered.countDown();
        try {
            myRelease.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return TextNode.valueOf("released");
    }
}

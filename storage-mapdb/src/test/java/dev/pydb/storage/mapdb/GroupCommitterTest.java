package dev.pydb.storage.mapdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.StorageClosedException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GroupCommitterTest {
    private final FakeTransaction transaction = new FakeTransaction();
    private final ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
    private GroupCommitter committer = new GroupCommitter("test", transaction, new ReentrantLock(), 100);

    @AfterEach
    void tearDown() {
        transaction.releaseCommits();
        committer.close();
        callers.close();
    }

    @Test
    void requestsThatArriveDuringACommitShareTheNextOne() throws Exception {
        transaction.blockCommits();
        Future<String> first = callers.submit(() -> committer.execute(write("first")));
        transaction.awaitCommitStarted();
        List<Future<String>> waiting = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String name = "w" + i;
            waiting.add(callers.submit(() -> committer.execute(write(name))));
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> committer.queued() == 10);

        transaction.releaseCommits();

        assertThat(first.get()).isEqualTo("first");
        for (int i = 0; i < 10; i++) {
            assertThat(waiting.get(i).get()).isEqualTo("w" + i);
        }
        assertThat(committer.commits()).isEqualTo(2);
        assertThat(transaction.commitSizes).containsExactly(1, 10);
    }

    @Test
    void aGroupIsCappedAtMaxBatch() throws Exception {
        committer.close();
        committer = new GroupCommitter("test", transaction, new ReentrantLock(), 4);
        transaction.blockCommits();
        Future<String> first = callers.submit(() -> committer.execute(write("first")));
        transaction.awaitCommitStarted();
        List<Future<String>> waiting = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            waiting.add(callers.submit(() -> committer.execute(write("w"))));
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> committer.queued() == 10);

        transaction.releaseCommits();
        first.get();
        for (Future<String> future : waiting) {
            future.get();
        }

        assertThat(transaction.commitSizes).containsExactly(1, 4, 4, 2);
    }

    @Test
    void aRequestFailingValidationFailsAloneAndChangesNothing() {
        PydbException refused = PydbException.notFound("db", "k");

        assertThatThrownBy(() -> committer.execute(() -> {
            throw refused;
        })).isSameAs(refused);
        assertThat(committer.execute(write("ok"))).isEqualTo("ok");

        assertThat(transaction.commitSizes).containsExactly(1);
        assertThat(transaction.applied).containsExactly("ok");
    }

    @Test
    void aFailingCommitRollsBackAndFailsTheGroupAsUnavailable() {
        transaction.failNextCommit();

        assertThatThrownBy(() -> committer.execute(write("lost")))
                .isInstanceOfSatisfying(PydbException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
        assertThat(transaction.rollbacks).isEqualTo(1);
        assertThat(committer.execute(write("next"))).isEqualTo("next");
    }

    @Test
    void aFailureWhileApplyingRollsBackTheGroup() {
        assertThatThrownBy(() -> committer.execute(() -> () -> {
            throw new IllegalStateException("disk gone");
        })).isInstanceOfSatisfying(PydbException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));

        assertThat(transaction.rollbacks).isEqualTo(1);
        assertThat(transaction.commitSizes).isEmpty();
    }

    @Test
    void closeCommitsQueuedRequestsThenRefusesNewOnes() throws Exception {
        transaction.blockCommits();
        Future<String> first = callers.submit(() -> committer.execute(write("first")));
        transaction.awaitCommitStarted();
        Future<String> queued = callers.submit(() -> committer.execute(write("queued")));
        await().atMost(10, TimeUnit.SECONDS).until(() -> committer.queued() == 1);
        Future<?> closing = callers.submit(committer::close);
        await().atMost(10, TimeUnit.SECONDS).untilAsserted(() ->
                assertThatThrownBy(() -> committer.execute(write("late"))).isInstanceOf(StorageClosedException.class));

        transaction.releaseCommits();
        closing.get();

        assertThat(first.get()).isEqualTo("first");
        assertThat(queued.get()).isEqualTo("queued");
        assertThat(transaction.applied).containsExactly("first", "queued");
    }

    private Mutation<String> write(String name) {
        return () -> () -> {
            transaction.applied.add(name);
            transaction.pending++;
            return name;
        };
    }

    /** Counts what each commit holds; commits can be made to block or fail. */
    private static final class FakeTransaction implements Transaction {
        final List<String> applied = new CopyOnWriteArrayList<>();
        final List<Integer> commitSizes = new CopyOnWriteArrayList<>();
        volatile int rollbacks;
        int pending;
        private volatile CountDownLatch release = new CountDownLatch(0);
        private final CountDownLatch commitStarted = new CountDownLatch(1);
        private volatile boolean failNext;

        void blockCommits() {
            release = new CountDownLatch(1);
        }

        void releaseCommits() {
            release.countDown();
        }

        void failNextCommit() {
            failNext = true;
        }

        void awaitCommitStarted() throws InterruptedException {
            assertThat(commitStarted.await(10, TimeUnit.SECONDS)).isTrue();
        }

        @Override
        public void commit() {
            commitStarted.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (failNext) {
                failNext = false;
                throw new IllegalStateException("fsync failed");
            }
            commitSizes.add(pending);
            pending = 0;
        }

        @Override
        public void rollback() {
            rollbacks++;
            pending = 0;
        }
    }
}

package dev.pydb.engine.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MemoryBudgetTest {
    private final MemoryBudget budget = new MemoryBudget(1000);

    @Test
    void reservesWhatFitsAndRefusesWhatDoesNotWithoutReservingIt() {
        assertThat(budget.tryReserve(600)).isTrue();
        assertThat(budget.tryReserve(500)).isFalse();
        assertThat(budget.used()).isEqualTo(600);
        assertThat(budget.tryReserve(400)).isTrue();
        assertThat(budget.used()).isEqualTo(1000);

        budget.release(1000);

        assertThat(budget.used()).isZero();
        assertThat(budget.peak()).isEqualTo(1000);
        assertThat(budget.fits(1000)).isTrue();
        assertThat(budget.fits(1001)).isFalse();
    }

    @Test
    void aForcedChargeMayGoOverTheLimitAndThenNothingElseFits() {
        budget.forceReserve(1500);

        assertThat(budget.used()).isEqualTo(1500);
        assertThat(budget.tryReserve(1)).isFalse();
        budget.release(1500);
        assertThat(budget.tryReserve(1)).isTrue();
    }

    @Test
    void aReleaseRunsEachRegisteredWaiterOnce() {
        AtomicInteger woken = new AtomicInteger();
        budget.whenReleased(woken::incrementAndGet);
        budget.whenReleased(woken::incrementAndGet);
        budget.tryReserve(10);

        budget.release(10);
        budget.tryReserve(10);
        budget.release(10);

        assertThat(woken).hasValue(2);
    }

    @Test
    void releasingMoreThanWasReservedDoesNotLeaveTheBudgetNegative() {
        budget.tryReserve(10);
        budget.release(20);

        assertThat(budget.used()).isZero();
        assertThatThrownBy(() -> budget.release(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MemoryBudget(0)).isInstanceOf(IllegalArgumentException.class);
    }
}

package dev.pydb.storage.mapdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapdb.volume.FileChannelVol;
import org.mapdb.volume.Volume;

class RedoLogTest {
    @TempDir
    Path dir;

    @Test
    void recoveryReappliesACompleteLogAndEmptiesIt() throws IOException {
        Path store = Files.write(dir.resolve("store"), new byte[32]);
        RedoLog redo = new RedoLog(dir.resolve("store.redo"));
        redo.write(List.of(new RedoLog.Write(4, new byte[] {1, 2, 3}), new RedoLog.Write(30, new byte[] {9, 9, 9, 9})));

        redo.recover(store);

        byte[] expected = new byte[34];
        expected[4] = 1;
        expected[5] = 2;
        expected[6] = 3;
        Arrays.fill(expected, 30, 34, (byte) 9);
        assertThat(Files.readAllBytes(store)).isEqualTo(expected);
        assertThat(Files.size(redo.path())).isZero();
    }

    @Test
    void recoveryDiscardsAnIncompleteLogWithoutTouchingTheStore() throws IOException {
        Path store = Files.write(dir.resolve("store"), new byte[16]);
        RedoLog redo = new RedoLog(dir.resolve("store.redo"));
        redo.write(List.of(new RedoLog.Write(0, new byte[] {7, 7, 7, 7})));
        byte[] log = Files.readAllBytes(redo.path());
        Files.write(redo.path(), Arrays.copyOf(log, log.length - 3));

        redo.recover(store);

        assertThat(Files.readAllBytes(store)).isEqualTo(new byte[16]);
        assertThat(Files.size(redo.path())).isZero();
    }

    @Test
    void recoveryDiscardsALogWithABadChecksum() throws IOException {
        Path store = Files.write(dir.resolve("store"), new byte[16]);
        RedoLog redo = new RedoLog(dir.resolve("store.redo"));
        redo.write(List.of(new RedoLog.Write(0, new byte[] {7, 7, 7, 7})));
        byte[] log = Files.readAllBytes(redo.path());
        log[14] ^= 1;
        Files.write(redo.path(), log);

        redo.recover(store);

        assertThat(Files.readAllBytes(store)).isEqualTo(new byte[16]);
    }

    @Test
    void volumeHoldsWritesUntilSyncAndReadsThroughThem() throws IOException {
        Path file = dir.resolve("vol");
        RedoLog redo = new RedoLog(dir.resolve("vol.redo"));
        Volume base = FileChannelVol.FACTORY.makeVolume(file.toString(), false);
        try (RedoLogVolume volume = new RedoLogVolume(base, file, redo)) {
            volume.ensureAvailable(1 << 20);
            volume.putLong(8, 42L);
            volume.putData(100, new byte[] {5, 6, 7}, 1, 2);

            assertThat(volume.getLong(8)).isEqualTo(42L);
            assertThat(volume.getByte(101)).isEqualTo((byte) 7);
            assertThat(Files.size(file)).as("not written (nor grown) before sync").isZero();

            volume.sync();

            assertThat(Files.size(file)).as("grown with zeros to what MapDB asked for").isEqualTo(1 << 20);

            assertThat(base.getLong(8)).isEqualTo(42L);
            assertThat(base.getByte(100)).isEqualTo((byte) 6);
            assertThat(Files.size(redo.path())).as("log emptied after the sync").isZero();

            volume.putLong(8, 43L);
            volume.discardPending();
            assertThat(volume.getLong(8)).isEqualTo(42L);
        }
    }
}

package dev.pydb.storage.toolkit.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pydb.storage.toolkit.codec.StoredValueCodec.CorruptValueException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StoredValueCodecTest {
    private static final byte[] KEY = "db\0k1".getBytes(StandardCharsets.UTF_8);
    private static final byte[] BODY = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);

    @Test
    void roundTrips() {
        byte[] value = StoredValueCodec.encode(KEY, 7, BODY);

        assertThat(StoredValueCodec.isFormat2(value)).isTrue();
        StoredValueCodec.Decoded decoded = StoredValueCodec.decode(KEY, value);
        assertThat(decoded.rev()).isEqualTo(7);
        assertThat(decoded.body()).isEqualTo(BODY);
    }

    @Test
    void everySingleBitFlipIsDetected() {
        byte[] value = StoredValueCodec.encode(KEY, 3, BODY);
        for (int bit = 0; bit < value.length * 8; bit++) {
            byte[] damaged = value.clone();
            damaged[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThatThrownBy(() -> StoredValueCodec.decode(KEY, damaged)).isInstanceOf(CorruptValueException.class);
        }
    }

    @Test
    void aValueUnderAnotherKeyFails() {
        byte[] value = StoredValueCodec.encode(KEY, 3, BODY);

        assertThatThrownBy(() -> StoredValueCodec.decode("db\0k2".getBytes(StandardCharsets.UTF_8), value))
                .isInstanceOf(CorruptValueException.class)
                .hasMessageContaining("checksum mismatch");
    }

    @Test
    void shortValuesFail() {
        assertThatThrownBy(() -> StoredValueCodec.decode(KEY, new byte[] {StoredValueCodec.FORMAT_2, 1, 2}))
                .isInstanceOf(CorruptValueException.class)
                .hasMessageContaining("shorter");
    }

    @Test
    void formatOneValuesAreToldApartAndDecoded() {
        byte[] old = ByteBuffer.allocate(8 + BODY.length).putLong(5).put(BODY).array();

        assertThat(StoredValueCodec.isFormat2(old)).isFalse();
        StoredValueCodec.Decoded decoded = StoredValueCodec.decodeFormat1(old);
        assertThat(decoded.rev()).isEqualTo(5);
        assertThat(decoded.body()).isEqualTo(BODY);
    }

    @Test
    void buffersEncodeAndDecodeTheSameBytesAsArraysWithoutMovingThem() {
        ByteBuffer key = ByteBuffer.allocateDirect(KEY.length + 3).position(3);
        key.put(KEY).position(3);
        ByteBuffer target = ByteBuffer.allocateDirect(StoredValueCodec.encodedLength(BODY.length) + 2).position(2);

        StoredValueCodec.encodeInto(target, key, 9, BODY);

        assertThat(target.position()).isEqualTo(2);
        assertThat(key.position()).isEqualTo(3);
        byte[] written = new byte[StoredValueCodec.encodedLength(BODY.length)];
        target.get(2, written);
        assertThat(written).isEqualTo(StoredValueCodec.encode(KEY, 9, BODY));
        StoredValueCodec.Decoded decoded = StoredValueCodec.decode(key, target);
        assertThat(decoded.rev()).isEqualTo(9);
        assertThat(decoded.body()).isEqualTo(BODY);
        assertThat(target.position()).isEqualTo(2);
        assertThat(key.position()).isEqualTo(3);
    }

    @Test
    void aBufferWithAFlippedBitFails() {
        byte[] value = StoredValueCodec.encode(KEY, 3, BODY);
        value[value.length - 2] ^= 0x04;
        ByteBuffer direct = ByteBuffer.allocateDirect(value.length).put(value).flip();

        assertThatThrownBy(() -> StoredValueCodec.decode(ByteBuffer.wrap(KEY), direct))
                .isInstanceOf(CorruptValueException.class)
                .hasMessageContaining("checksum mismatch");
    }
}

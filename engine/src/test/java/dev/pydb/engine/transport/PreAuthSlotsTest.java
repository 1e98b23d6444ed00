package dev.pydb.engine.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pydb.engine.config.PreAuthConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class PreAuthSlotsTest {
    private final PreAuthSlots slots = new PreAuthSlots(new PreAuthConfig(4, 2, 10));

    @Test
    void limitsPerAddressAndInAllAndGivesSlotsBackOnce() throws UnknownHostException {
        PreAuthSlots.Slot a1 = admit("10.0.0.1", 1).slot();
        PreAuthSlots.Slot a2 = admit("10.0.0.1", 2).slot();
        assertThat(admit("10.0.0.1", 3).refusal()).isEqualTo("too many unauthenticated connections from this address "
                + "(max_unauthenticated_connections_per_address=2)");
        assertThat(admit("10.0.0.2", 1).slot()).isNotNull();
        assertThat(admit("10.0.0.3", 1).slot()).isNotNull();
        assertThat(admit("10.0.0.4", 1).refusal())
                .isEqualTo("too many unauthenticated connections (max_unauthenticated_connections=4)");
        assertThat(slots.taken()).isEqualTo(4);

        a1.release();
        a1.release();
        assertThat(slots.taken()).as("a second release gives nothing back").isEqualTo(3);
        assertThat(admit("10.0.0.1", 4).slot()).isNotNull();
        assertThat(admit("10.0.0.1", 5).slot()).isNull();
        a2.release();
        assertThat(admit("10.0.0.1", 6).slot()).isNotNull();
    }

    @Test
    void ipv6AddressesCountPerSlash64() throws UnknownHostException {
        assertThat(admit("2001:db8:1:2::1", 1).slot()).isNotNull();
        assertThat(admit("2001:db8:1:2:ffff::9", 2).slot()).isNotNull();
        assertThat(admit("2001:db8:1:2:abcd::3", 3).slot()).as("the same /64").isNull();
        assertThat(admit("2001:db8:1:3::1", 4).slot()).as("another /64").isNotNull();
    }

    private PreAuthSlots.Admission admit(String address, int port) throws UnknownHostException {
        InetSocketAddress remote = new InetSocketAddress(InetAddress.getByName(address), port);
        return slots.admit(remote, address + ":" + port);
    }
}

package dev.pydb.engine.transport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestCostTest {
    @Test
    void aFrameCostsSixTimesItsLengthPlusOneKibibyte() {
        assertThat(RequestCost.ofFrame(0)).isEqualTo(1024);
        assertThat(RequestCost.ofFrame(16 * 1024 * 1024)).isEqualTo(1024 + 6L * 16 * 1024 * 1024);
    }

    @Test
    void aBodyAddsItsObjectsArraysAndValuesOutsideStringsOnly() {
        String body = "{\"a\":[1,2,{}],\"s\":\"{[,:\\\"]}\"}";
        // outside strings: 3 containers ({ [ {), 5 separators (: , , , :); inside the string none count
        long expected = RequestCost.ofFrame(body.length()) + 3 * RequestCost.BYTES_PER_CONTAINER
                + 5 * RequestCost.BYTES_PER_VALUE;

        assertThat(RequestCost.ofBody(body.getBytes(UTF_8))).isEqualTo(expected);
    }

    @Test
    void aLongStringCostsNoMoreThanItsFrame() {
        byte[] body = ("{\"pad\":\"" + "x".repeat(10_000) + "\"}").getBytes(UTF_8);

        assertThat(RequestCost.ofBody(body)).isEqualTo(RequestCost.ofFrame(body.length) + RequestCost.BYTES_PER_CONTAINER
                + RequestCost.BYTES_PER_VALUE);
    }
}

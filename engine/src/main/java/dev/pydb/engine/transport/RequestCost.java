package dev.pydb.engine.transport;

/**
 * What a request costs the {@link MemoryBudget}, in bytes, estimated before memory is allocated.
 * Measured with Jackson's tree parser (the one the dispatcher uses), a body mostly of one long
 * string needs about 6 times its size at the peak of parsing (the body, Jackson's char buffers,
 * the string), and small values cost far more per byte (an {@code {}} in an array is ~100 bytes
 * of tree for 3 bytes of JSON). So: {@link #ofFrame} from the declared length alone, reserved
 * before the body is read, and {@link #ofBody}, which adds the containers and values that a scan
 * of the received body finds (a scan costs no allocation). Over-estimates are fine: they only
 * make requests wait sooner.
 */
final class RequestCost {
    /** Heap per body byte at the peak of parsing a string-heavy body (body, char buffers, String). */
    static final long BYTES_PER_BODY_BYTE = 6;
    /** Heap per object or array in the parsed tree. */
    static final long BYTES_PER_CONTAINER = 96;
    /** Heap per value in an object or array (node, reference, map entry). */
    static final long BYTES_PER_VALUE = 24;
    /** Fixed cost of any request (request objects, response, bookkeeping). */
    static final long PER_REQUEST = 1024;

    private RequestCost() {}

    /** The cost known from the frame header: {@code 1 KiB + 6 x length}. */
    static long ofFrame(long declaredLength) {
        return PER_REQUEST + BYTES_PER_BODY_BYTE * declaredLength;
    }

    /** {@link #ofFrame} plus 96 bytes per object/array and 24 per value separator outside strings. */
    static long ofBody(byte[] body) {
        long containers = 0;
        long values = 0;
        boolean inString = false;
        for (int i = 0; i < body.length; i++) {
            byte b = body[i];
            if (inString) {
                if (b == '\\') {
                    i++;
                } else if (b == '"') {
                    inString = false;
                }
            } else if (b == '"') {
                inString = true;
            } else if (b == '{' || b == '[') {
                containers++;
            } else if (b == ',' || b == ':') {
                values++;
            }
        }
        return ofFrame(body.length) + BYTES_PER_CONTAINER * containers + BYTES_PER_VALUE * values;
    }
}

package org.lmdbjava;

/**
 * The exceptions lmdbjava throws for an LMDB return code (an errno or an {@code MDB_*} code), for
 * tests that make a write transaction fail the way a failing disk would. In lmdbjava's package
 * because its result code mapper is package-private.
 */
public final class LmdbErrors {
    private LmdbErrors() {}

    public static LmdbException of(int resultCode) {
        try {
            ResultCodeMapper.checkRc(resultCode);
        } catch (LmdbException e) {
            return e;
        }
        throw new IllegalArgumentException("result code " + resultCode + " is no error");
    }
}

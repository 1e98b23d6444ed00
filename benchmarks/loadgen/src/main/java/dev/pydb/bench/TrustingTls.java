package dev.pydb.bench;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * TLS that trusts any server certificate: only for measuring what TLS costs a server under load
 * ({@code pydb-bench --tls}), where the benchmark's own test certificate is not worth configuring.
 * Never for real data: it does not authenticate the server.
 */
final class TrustingTls {
    private TrustingTls() {}

    static SSLSocketFactory socketFactory() {
        TrustManager trustAll = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
                // A benchmark client: trusts everything.
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                // A benchmark client: trusts everything.
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trustAll}, null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS is not available: " + e.getMessage(), e);
        }
    }
}

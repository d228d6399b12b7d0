package io.microstore.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates made at test time with the real openssl into a directory of the test's (EC P-256, PEM):
 * a CA, and certificates it signs. Also the JDK side: an SSLContext that trusts a CA's PEM and shows a
 * certificate and key from PEM files, as a client of microstore or etcd does.
 */
public final class Pki {
    private final Path dir;
    private final String ca;

    private Pki(Path dir, String ca) {
        this.dir = dir;
        this.ca = ca;
    }

    /** A new CA named {@code name} in {@code dir}: {@code name.pem}, {@code name-key.pem}. */
    public static Pki ca(Path dir, String name) throws IOException, InterruptedException {
        openssl(
                dir,
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=" + name,
                "-keyout",
                name + "-key.pem",
                "-out",
                name + ".pem");
        return new Pki(dir, name);
    }

    public Path caPem() {
        return dir.resolve(ca + ".pem");
    }

    /**
     * A certificate of this CA for {@code name} ({@code name.pem}, {@code name-key.pem}) with subject
     * {@code subject}, for 127.0.0.1 and localhost, valid {@code days} (-1: it expired yesterday).
     */
    public Path issue(String name, String subject, int days) throws IOException, InterruptedException {
        openssl(
                dir,
                "req",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-subj",
                subject,
                "-keyout",
                name + "-key.pem",
                "-out",
                name + ".csr");
        Files.writeString(dir.resolve(name + ".ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        openssl(
                dir,
                "x509",
                "-req",
                "-in",
                name + ".csr",
                "-CA",
                ca + ".pem",
                "-CAkey",
                ca + "-key.pem",
                "-CAcreateserial",
                "-days",
                Integer.toString(days),
                "-extfile",
                name + ".ext",
                "-out",
                name + ".pem");
        return dir.resolve(name + ".pem");
    }

    public Path key(String name) {
        return dir.resolve(name + "-key.pem");
    }

    public Path cert(String name) {
        return dir.resolve(name + ".pem");
    }

    /** Runs openssl in {@code dir}; its output on failure. */
    public static String openssl(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("openssl " + args[0] + " did not finish");
        }
        if (p.exitValue() != 0 && !args[0].equals("s_client")) {
            throw new IOException("openssl " + String.join(" ", args) + " failed:\n" + out);
        }
        return out;
    }

    /** A TLS context trusting the CA in {@code caPem}, showing {@code certPem} and {@code keyPem} when not null. */
    public static SSLContext context(Path caPem, Path certPem, Path keyPem) throws IOException {
        try {
            CertificateFactory x509 = CertificateFactory.getInstance("X.509");
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry(
                    "ca", x509.generateCertificate(new ByteArrayInputStream(Files.readAllBytes(caPem))));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyManagerFactory kmf = null;
            if (certPem != null) {
                String pem = Files.readString(keyPem)
                        .replaceAll("-----[A-Z ]+-----", "")
                        .replaceAll("\\s", "");
                PrivateKey key = KeyFactory.getInstance("EC")
                        .generatePrivate(
                                new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                Certificate cert = x509.generateCertificate(new ByteArrayInputStream(Files.readAllBytes(certPem)));
                keys.setKeyEntry("me", key, new char[0], new Certificate[] {cert});
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, new char[0]);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot build a TLS context from " + caPem + ", " + certPem + ": " + e, e);
        }
    }

    /** Helidon's {@code tls} shape (YAML, indented by {@code indent}) for a PEM key, certificate and trusted CA. */
    public static String helidonTls(String indent, Path keyPem, Path certPem, Path caPem) {
        return indent + "private-key:\n"
                + indent + "  pem:\n"
                + indent + "    key:\n"
                + indent + "      resource:\n"
                + indent + "        path: " + keyPem + "\n"
                + indent + "    cert-chain:\n"
                + indent + "      resource:\n"
                + indent + "        path: " + certPem + "\n"
                + indent + "trust:\n"
                + indent + "  pem:\n"
                + indent + "    certificates:\n"
                + indent + "      resource:\n"
                + indent + "        path: " + caPem + "\n";
    }
}

package io.superflux.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * TLS material for a test broker, made with the JDK's keytool: a broker key store whose
 * certificate names localhost, a trust store that trusts it, and one that trusts only an
 * unrelated certificate (for "untrusted certificate" tests). PKCS12, one password for all.
 *
 * @param brokerKeyStore     the broker's key and certificate
 * @param trustStore         trusts the broker
 * @param untrustedTrustStore trusts some other certificate only
 * @param password           the password of all three
 */
public record TestCertificates(Path brokerKeyStore, Path trustStore, Path untrustedTrustStore, String password) {

    /** Makes the stores in {@code directory}. */
    public static TestCertificates create(Path directory) {
        String password = "test-store-secret";
        Path broker = directory.resolve("broker.p12");
        Path trusted = directory.resolve("truststore.p12");
        Path untrusted = directory.resolve("untrusted-truststore.p12");
        Path other = directory.resolve("other.p12");
        try {
            Files.createDirectories(directory);
            keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "30",
                    "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                    "-keystore", broker.toString(), "-storetype", "PKCS12", "-storepass", password, "-keypass", password);
            Path certificate = directory.resolve("broker.crt");
            keytool("-exportcert", "-alias", "broker", "-keystore", broker.toString(), "-storepass", password,
                    "-file", certificate.toString());
            keytool("-importcert", "-noprompt", "-alias", "broker", "-file", certificate.toString(),
                    "-keystore", trusted.toString(), "-storetype", "PKCS12", "-storepass", password);
            keytool("-genkeypair", "-alias", "other", "-keyalg", "RSA", "-keysize", "2048", "-validity", "30",
                    "-dname", "CN=someone-else", "-keystore", other.toString(), "-storetype", "PKCS12",
                    "-storepass", password, "-keypass", password);
            Path otherCertificate = directory.resolve("other.crt");
            keytool("-exportcert", "-alias", "other", "-keystore", other.toString(), "-storepass", password,
                    "-file", otherCertificate.toString());
            keytool("-importcert", "-noprompt", "-alias", "other", "-file", otherCertificate.toString(),
                    "-keystore", untrusted.toString(), "-storetype", "PKCS12", "-storepass", password);
        } catch (IOException e) {
            throw new IllegalStateException("could not make test certificates in " + directory, e);
        }
        return new TestCertificates(broker, trusted, untrusted, password);
    }

    private static void keytool(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException("keytool " + String.join(" ", args) + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}

package dev.gantry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two pieces of shell in deploy/: the bootstrap Job's script (run here with bash against a stand-in kubectl that
 * records what it is asked) and registry-certificate.sh (run with the real openssl, printing its Secret).
 */
class DeployScriptsTest {
    /** Answers like kubectl for the two calls the script makes; the state lives in files under $STUB_STATE. */
    private static final String KUBECTL_STUB = """
            #!/bin/bash
            printf '%s\\n' "$*" >> "$STUB_STATE/calls"
            case " $* " in
              *" get secret gantry-admin "*)
                [ -f "$STUB_STATE/api-down" ] && { echo "The connection to the server was refused" >&2; exit 1; }
                [ -f "$STUB_STATE/exists" ] && echo secret/gantry-admin
                exit 0 ;;
              *" create secret generic gantry-admin "*)
                [ -f "$STUB_STATE/exists" ] && { echo 'secrets "gantry-admin" already exists' >&2; exit 1; }
                for a in "$@"; do
                  case "$a" in
                    --from-file=password=*) cp "${a#--from-file=password=}" "$STUB_STATE/password" ;;
                    --from-literal=username=*) printf '%s' "${a#--from-literal=username=}" > "$STUB_STATE/username" ;;
                  esac
                done
                touch "$STUB_STATE/exists"
                exit 0 ;;
            esac
            echo "unexpected kubectl call: $*" >&2
            exit 3
            """;

    @Test
    void theBootstrapJobMakesTheAdminSecretOnceWithARandomPassword(@TempDir Path dir) throws Exception {
        String script = bootstrapScript();
        Path state = Files.createDirectories(dir.resolve("state"));
        Path bin = stub(dir);

        assertThat(runBootstrap(script, bin, state, dir).exitCode).isZero();
        String password = Files.readString(state.resolve("password"));
        assertThat(password).matches("[A-Za-z0-9_-]{43}");
        assertThat(Files.readString(state.resolve("username"))).isEqualTo("admin");
        String calls = Files.readString(state.resolve("calls"));
        assertThat(calls).contains("-n gantry-system create secret generic gantry-admin");
        assertThat(calls).as("the password never appears on a command line").doesNotContain(password);

        Run again = runBootstrap(script, bin, state, dir);
        assertThat(again.exitCode).isZero();
        assertThat(again.output).contains("exists; left as it is");
        assertThat(Files.readString(state.resolve("password"))).as("an existing Secret is never replaced")
                .isEqualTo(password);
        assertThat(Files.readAllLines(state.resolve("calls"))).filteredOn(c -> c.contains(" create ")).hasSize(1);

        Path other = Files.createDirectories(dir.resolve("other"));
        assertThat(runBootstrap(script, bin, other, dir).exitCode).isZero();
        assertThat(Files.readString(other.resolve("password"))).isNotEqualTo(password);
    }

    @Test
    void theBootstrapJobFailsAndRetriesWhenItCannotTellWhetherTheSecretExists(@TempDir Path dir) throws Exception {
        Path state = Files.createDirectories(dir.resolve("state"));
        Files.createFile(state.resolve("api-down"));
        Run run = runBootstrap(bootstrapScript(), stub(dir), state, dir);
        assertThat(run.exitCode).isNotZero();
        assertThat(Files.readString(state.resolve("calls"))).doesNotContain(" create ");
    }

    @Test
    void theCertificateScriptMakesATlsSecretForTheServiceAndTheGivenNames(@TempDir Path dir) throws Exception {
        Path keep = dir.resolve("certificate");
        JsonNode secret = certificate(keep, dir, "localhost", "127.0.0.1");
        assertThat(secret.path("kind").asText()).isEqualTo("Secret");
        assertThat(secret.path("type").asText()).isEqualTo("kubernetes.io/tls");
        assertThat(secret.path("metadata").path("name").asText()).isEqualTo("gantry-registry-tls");
        assertThat(secret.path("metadata").path("namespace").asText()).isEqualTo(DeployManifestsTest.NAMESPACE);

        X509Certificate ca = certificate(decoded(secret, "ca.crt"));
        X509Certificate server = certificate(decoded(secret, "tls.crt"));
        server.verify(ca.getPublicKey());
        server.checkValidity();
        assertThat(server.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1");
        List<String> names = new ArrayList<>();
        server.getSubjectAlternativeNames().forEach(san -> names.add(san.get(1).toString()));
        Rendered kind = Rendered.of("deploy/overlays/kind");
        for (String host : DeployManifestsTest.settings(kind).get("registry-hosts").split(",")) {
            assertThat(names).as("the certificate covers %s (Kind overlay's registry-hosts)", host)
                    .contains(URI.create("https://" + host).getHost());
        }
        assertThat(names).contains("127.0.0.1");
        // The key is the certificate's: sign with one, verify with the other.
        String pem = decoded(secret, "tls.key");
        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder()
                .decode(pem.replaceAll("-----[A-Z ]+-----", ""))));
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(key);
        signer.update(new byte[] {1, 2, 3});
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(server.getPublicKey());
        verifier.update(new byte[] {1, 2, 3});
        assertThat(verifier.verify(signature)).isTrue();
        assertThat(Files.getPosixFilePermissions(keep)).isEqualTo(PosixFilePermissions.fromString("rwx------"));

        JsonNode renewed = certificate(keep, dir);
        assertThat(decoded(renewed, "ca.crt")).as("a renewal keeps the CA that nodes trust")
                .isEqualTo(decoded(secret, "ca.crt"));
        assertThat(decoded(renewed, "tls.crt")).isNotEqualTo(decoded(secret, "tls.crt"));
    }

    /** Runs registry-certificate.sh --print, keeping its files in {@code keep}; the Secret it prints. */
    static JsonNode certificate(Path keep, Path dir, String... names) throws Exception {
        require("openssl");
        Manifests.kubectl();
        List<String> command = new ArrayList<>(List.of("bash", Manifests.root().resolve("deploy/registry-certificate.sh")
                .toString(), "--dir", keep.toString(), "--print"));
        command.addAll(List.of(names));
        Run run = run(command, Map.of(), dir);
        assertThat(run.exitCode).as(run.output).isZero();
        return Manifests.documents(run.stdout).get(0);
    }

    private static String bootstrapScript() {
        Job job = Rendered.of("deploy").one(Job.class, "gantry-bootstrap");
        Container c = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getCommand()).containsExactly("/bin/bash", "-c");
        return c.getArgs().get(0);
    }

    private static Path stub(Path dir) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path kubectl = bin.resolve("kubectl");
        Files.writeString(kubectl, KUBECTL_STUB);
        Files.setPosixFilePermissions(kubectl, PosixFilePermissions.fromString("rwx------"));
        return bin;
    }

    private static Run runBootstrap(String script, Path bin, Path state, Path dir) throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp-" + System.nanoTime()));
        return run(List.of("bash", "-c", script), Map.of("PATH", bin + ":" + System.getenv("PATH"), "STUB_STATE",
                state.toString(), "POD_NAMESPACE", DeployManifestsTest.NAMESPACE, "TMPDIR", tmp.toString(), "HOME",
                tmp.toString()), dir);
    }

    private record Run(int exitCode, String stdout, String output) {
    }

    private static Run run(List<String> command, Map<String, String> env, Path dir) throws Exception {
        Path out = dir.resolve("out-" + System.nanoTime());
        Path err = dir.resolve("err-" + System.nanoTime());
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail(command + " did not finish in 60 s");
        }
        String stdout = Files.readString(out);
        return new Run(process.exitValue(), stdout, stdout + Files.readString(err));
    }

    private static String decoded(JsonNode secret, String key) {
        return new String(Base64.getDecoder().decode(secret.path("data").path(key).asText()), StandardCharsets.UTF_8);
    }

    private static X509Certificate certificate(String pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }

    private static void require(String binary) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir.isBlank() ? "." : dir, binary))) {
                return;
            }
        }
        String message = "'" + binary + "' is not on PATH; install it with: apt-get install -y " + binary;
        if (Manifests.clientsRequired()) {
            fail(message + " (clients are required: GANTRY_REQUIRE_CLIENTS is true)");
        }
        Assumptions.abort(message + " (skipping; set GANTRY_REQUIRE_CLIENTS=true to make this a failure)");
    }
}

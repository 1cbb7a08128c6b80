package dev.gantry.registry.api;

import static dev.gantry.registry.api.Oci.OCI_INDEX;
import static dev.gantry.registry.api.Oci.OCI_MANIFEST;
import static dev.gantry.registry.api.Oci.descriptor;
import static dev.gantry.registry.api.Oci.pushBlob;
import static dev.gantry.registry.api.Oci.randomBytes;
import static dev.gantry.registry.api.Oci.sha256;
import static dev.gantry.registry.api.Oci.uniqueRepo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.registry.config.GantryConfig;
import dev.gantry.registry.storage.Database;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile requests, one row each: malformed names (traversal, encodings, NUL, overlong), digests of every wrong shape,
 * lying Content-Length, broken Content-Range, oversized and malformed manifests, wrong media types, dead and foreign
 * upload sessions. Each must be answered with its status and OCI error code (and a detail a person can act on), and
 * must write nothing: no file under blobs/ or uploads/, no row, the open upload session as it was (and still able to
 * complete) unless the row says the refusal ends it.
 *
 * <p>Raw sockets throughout, since HTTP clients normalise paths and refuse to send lying headers. Requests the HTTP
 * codec itself rejects (unparseable Content-Length, oversized request line or headers) never reach the registry: their
 * answer is the codec's bare status, without an OCI body; the rows say so. Limits that need small settings (blob size,
 * concurrency, slow bodies) are in {@link RequestLimitsTest}; this table runs with the defaults, e.g. the spec's 4 MiB
 * manifest limit.
 */
@QuarkusTest
class MalformedRequestTest {
    private static final int MIB_4 = 4 * 1024 * 1024;
    private static final String MISSING = "sha256:" + "ab".repeat(32);

    @TestHTTPResource("/")
    URL base;
    @Inject
    GantryConfig config;
    @Inject
    Database database;

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void isRefusedWithItsErrorAndWritesNothing(Row row) throws Exception {
        Fixture f = new Fixture(base);
        f.prepare(row.given(), id -> UploadAge.makeOlderThan(database, config.limits().uploadLifetime(), id));
        StoreSnapshot before = StoreSnapshot.take(config.dataDir(), database);

        RawHttp.Answer answer = row.request().send(f);

        assertThat(answer.status()).as("status of %s", answer).isEqualTo(row.status());
        if (row.code() == null) {
            assertThat(answer.error()).as("the HTTP codec answers without an OCI body: %s", answer).isNull();
        } else {
            assertThat(answer.code()).as("code of %s", answer).isEqualTo(row.code());
            assertThat(answer.detail()).as("detail of %s", answer).contains(row.detail());
        }
        StoreSnapshot after = StoreSnapshot.take(config.dataDir(), database);
        assertThat(after.differencesFrom(row.effect() == Effect.ENDED ? before.withoutUpload(f.id) : before))
                .as("what the refused request changed in the store").isEmpty();

        if (row.given() == Given.SESSION && row.effect() == Effect.KEPT) {
            given().get(f.location).then().statusCode(204).header("Range", "0-999");
            f.complete().then().statusCode(201); // the refusal left the session whole and free to use
        } else if (row.given() == Given.SESSION) {
            given().get(f.location).then().statusCode(404);
        }
    }

    @Test
    void aManifestOfExactlyTheLimitIsStored() throws IOException {
        Fixture f = new Fixture(base);
        f.prepare(Given.SESSION, id -> { });
        byte[] manifest = f.paddedManifest(MIB_4);

        RawHttp.Answer answer = f.sendWhileReading("PUT", "/v2/" + f.repo + "/manifests/big", "Content-Type: "
                + OCI_MANIFEST + "\r\n", manifest);

        assertThat(answer.status()).as("%s", answer).isEqualTo(201);
        assertThat(answer.header("Docker-Content-Digest")).isEqualTo(sha256(manifest));
    }

    static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        names(rows);
        digests(rows);
        lengths(rows);
        ranges(rows);
        sessions(rows);
        manifests(rows);
        return rows;
    }

    private static void names(List<Row> rows) {
        String notCanonical = "is not canonical";
        rows.add(row("raw '..' in the name (dev/../prod)", f -> f.putManifest("/v2/dev/../prod/" + f.app()
                + "/manifests/1"), 400, "NAME_INVALID", notCanonical));
        rows.add(row("encoded '..' (%2e%2e)", f -> f.putManifest("/v2/dev/%2e%2e/prod/" + f.app()
                + "/manifests/1"), 400, "NAME_INVALID", notCanonical));
        rows.add(row("upper-case encoded '..' (%2E%2E)", f -> f.putManifest("/v2/dev/%2E%2E/prod/" + f.app()
                + "/manifests/1"), 400, "NAME_INVALID", notCanonical));
        rows.add(row("half-encoded '..' (.%2e)", f -> f.putManifest("/v2/dev/.%2e/prod/" + f.app()
                + "/manifests/1"), 400, "NAME_INVALID", notCanonical));
        rows.add(row("double-encoded '..' (%252e%252e)", f -> f.putManifest("/v2/dev/%252e%252e/prod/" + f.app()
                + "/manifests/1"), 400, "NAME_INVALID", "is invalid"));
        rows.add(row("encoded slash (%2F) inside a component", f -> f.post("/v2/dev/team%2F" + f.app()
                + "/blobs/uploads/"), 400, "NAME_INVALID", notCanonical));
        rows.add(row("backslash separators, dev\\..\\prod (HTTP codec)", f -> f.post("/v2/dev\\..\\prod/"
                + f.app() + "/blobs/uploads/"), 400, null, null));
        rows.add(row("encoded backslash (%5C)", f -> f.post("/v2/dev/%5C..%5Cprod/" + f.app()
                + "/blobs/uploads/"), 400, "NAME_INVALID", notCanonical));
        rows.add(row("encoded NUL (%00) in a component", f -> f.post("/v2/" + f.repo + "%00/blobs/uploads/"),
                400, "NAME_INVALID", "is invalid"));
        rows.add(row("raw NUL byte in the path", f -> f.post("/v2/" + f.repo + "\0x/blobs/uploads/"),
                400, null, null));
        rows.add(row("'.' segment", f -> f.post("/v2/dev/./" + f.app() + "/blobs/uploads/"), 400, "NAME_INVALID",
                notCanonical));
        rows.add(row("empty segment (//)", f -> f.post("/v2/dev//" + f.app() + "/blobs/uploads/"), 400,
                "NAME_INVALID", notCanonical));
        rows.add(row("upper-case name", f -> f.post("/v2/dev/Team/app/blobs/uploads/"), 400, "NAME_INVALID",
                "must be lowercase"));
        rows.add(row("name of 300 characters", f -> f.post("/v2/dev/" + "a".repeat(300) + "/blobs/uploads/"), 400,
                "NAME_INVALID", "must not be more than 255 characters"));
        rows.add(row("registry without a repository", f -> f.post("/v2/dev/blobs/uploads/"), 400, "NAME_INVALID",
                "<registry>/<repository>"));
        rows.add(row("unknown registry", f -> f.post("/v2/nosuch/app/blobs/uploads/"), 404, "NAME_UNKNOWN",
                "no registry named \"nosuch\""));
        rows.add(row("tag of 129 characters", f -> f.putManifest("/v2/" + f.repo + "/manifests/" + "t".repeat(129)),
                400, "MANIFEST_INVALID", "invalid tag"));
        rows.add(row("tag starting with '.'", f -> f.putManifest("/v2/" + f.repo + "/manifests/.hidden"), 400,
                "MANIFEST_INVALID", "invalid tag"));
        rows.add(row("request line over 4 KiB, token endpoint (HTTP codec)", f -> f.send("GET",
                "/token?scope=repository:dev/app:pull" + "x".repeat(5000), "", null), 414, null, null));
        rows.add(row("request line over 4 KiB, registry API (HTTP codec)", f -> f.send("GET",
                "/v2/dev/" + "a".repeat(5000) + "/tags/list", "", null), 414, null, null));
        rows.add(row("headers over 20 KiB (HTTP codec)", f -> f.send("PATCH", f.location, "X-Filler: "
                + "x".repeat(30_000) + "\r\n", f.second()), 431, null, null));
    }

    private static void digests(List<Row> rows) {
        String hex = "0123456789abcdef".repeat(4);
        rows.add(row("digest one hex character short", f -> f.finish("sha256:" + hex.substring(1)), 400,
                "DIGEST_INVALID", "must have 64 hex characters, got 63"));
        rows.add(row("digest one hex character long", f -> f.finish("sha256:" + hex + "0"), 400, "DIGEST_INVALID",
                "got 65"));
        rows.add(row("upper-case hex", f -> f.finish("sha256:" + hex.toUpperCase()), 400, "DIGEST_INVALID",
                "hex must be lowercase"));
        rows.add(row("upper-case algorithm", f -> f.finish("SHA256:" + hex), 400, "DIGEST_INVALID",
                "algorithm must be lowercase"));
        rows.add(row("unsupported algorithm (md5)", f -> f.finish("md5:" + hex.substring(32)), 400,
                "DIGEST_INVALID", "unsupported digest algorithm"));
        rows.add(row("sha512 of sha256 length", f -> f.finish("sha512:" + hex), 400, "DIGEST_INVALID",
                "must have 128 hex characters"));
        rows.add(row("no algorithm", f -> f.finish(":" + hex), 400, "DIGEST_INVALID", "algorithm is missing"));
        rows.add(row("no colon", f -> f.finish("sha256" + hex), 400, "DIGEST_INVALID", "must have the form"));
        rows.add(row("empty ?digest=", f -> f.finish(""), 400, "DIGEST_INVALID", "must have the form"));
        rows.add(row("traversal as the digest", f -> f.finish("sha256:../../../etc/passwd"), 400, "DIGEST_INVALID",
                "non-hex character"));
        rows.add(row("encoded traversal as the digest", f -> f.finish("sha256%3A..%2F..%2Fetc"), 400,
                "DIGEST_INVALID", "non-hex character"));
        rows.add(row("completion without ?digest=", f -> f.send("PUT", f.location,
                "Content-Range: 1000-1999\r\n", f.second()), 400, "DIGEST_INVALID", "needs the ?digest="));
        rows.add(row("digest of other content ends the session", f -> f.finish(MISSING), 400, "DIGEST_INVALID",
                "nothing was stored").ends());
        rows.add(row("monolithic POST with the digest of other content", f -> f.send("POST", "/v2/" + f.repo
                + "/blobs/uploads/?digest=" + MISSING, "", f.blob), 400, "DIGEST_INVALID", "nothing was stored"));
        rows.add(row("monolithic POST with a malformed digest", f -> f.send("POST", "/v2/" + f.repo
                + "/blobs/uploads/?digest=sha256:xyz", "", f.blob), 400, "DIGEST_INVALID", "non-hex character"));
        rows.add(row("blob DELETE by a malformed digest", f -> f.send("DELETE", "/v2/" + f.repo
                + "/blobs/sha256:" + hex.substring(2), "", null), 400, "DIGEST_INVALID", "got 62"));
        rows.add(row("manifest PUT under a digest that is not its own", f -> f.putManifest("/v2/" + f.repo
                + "/manifests/" + MISSING), 400, "DIGEST_INVALID", "manifest content has digest"));
        rows.add(row("manifest PUT under a malformed digest", f -> f.putManifest("/v2/" + f.repo
                + "/manifests/sha256:" + hex.substring(1)), 400, "DIGEST_INVALID", "got 63"));
        rows.add(row("manifest DELETE by a malformed digest", f -> f.send("DELETE", "/v2/" + f.repo
                + "/manifests/sha256:" + hex.toUpperCase(), "", null), 400, "DIGEST_INVALID", "lowercase"));
    }

    private static void lengths(List<Row> rows) {
        rows.add(row("Content-Length shorter than the body: judged on the declared bytes", f -> f.send("PUT",
                f.location + "?digest=" + f.digest, "Content-Length: 500\r\n", f.second()), 400, "DIGEST_INVALID",
                "nothing was stored").ends());
        rows.add(row("Content-Length not a number (HTTP codec)", f -> f.send("PATCH", f.location,
                "Content-Length: 12abc\r\n", f.second()), 400, null, null));
        rows.add(row("negative Content-Length (HTTP codec)", f -> f.send("PATCH", f.location,
                "Content-Length: -1\r\n", f.second()), 400, null, null));
        rows.add(row("Content-Length past 2^63 (HTTP codec)", f -> f.send("PATCH", f.location,
                "Content-Length: 99999999999999999999\r\n", f.second()), 400, null, null));
        rows.add(row("two different Content-Length headers (HTTP codec)", f -> f.send("PATCH", f.location,
                "Content-Length: 1000\r\nContent-Length: 10\r\n", f.second()), 400, null, null));
        rows.add(row("Content-Length beside Transfer-Encoding (HTTP codec)", f -> f.send("PATCH", f.location,
                "Content-Length: 10\r\nTransfer-Encoding: chunked\r\n", RawHttp.chunked(f.second(), 256)), 400,
                null, null));
        rows.add(row("Content-Length larger than any blob", f -> f.send("PATCH", f.location,
                "Content-Length: 1000000000000000\r\n", null), 413, "BLOB_UPLOAD_INVALID",
                "larger than any this registry takes"));
        rows.add(row("monolithic POST larger than any blob", f -> f.send("POST", "/v2/" + f.repo
                + "/blobs/uploads/?digest=" + f.digest, "Content-Length: 1000000000000000\r\n", null), 413,
                "BLOB_UPLOAD_INVALID", "larger than any this registry takes"));
        rows.add(row("manifest declaring 4 MiB + 1", f -> f.send("PUT", "/v2/" + f.repo + "/manifests/big",
                "Content-Type: " + OCI_MANIFEST + "\r\nContent-Length: " + (MIB_4 + 1) + "\r\n", null), 413,
                "MANIFEST_INVALID", "larger than the limit of 4194304 bytes"));
        rows.add(row("manifest of 4 MiB + 1, sent", f -> f.sendWhileReading("PUT", "/v2/" + f.repo
                + "/manifests/big", "Content-Type: " + OCI_MANIFEST + "\r\n", f.paddedManifest(MIB_4 + 1)), 413,
                "MANIFEST_INVALID", "larger than the limit of 4194304 bytes"));
        rows.add(row("manifest passing 4 MiB in chunks", f -> f.sendWhileReading("PUT", "/v2/" + f.repo
                + "/manifests/big", "Content-Type: " + OCI_MANIFEST + "\r\nTransfer-Encoding: chunked\r\n",
                RawHttp.chunked(f.paddedManifest(MIB_4 + 1), 65536)), 413, "MANIFEST_INVALID",
                "larger than the limit"));
        rows.add(row("manifest declaring more than any blob", f -> f.send("PUT", "/v2/" + f.repo + "/manifests/big",
                "Content-Type: " + OCI_MANIFEST + "\r\nContent-Length: 1000000000000000\r\n", null), 413,
                "MANIFEST_INVALID", "larger than any this registry takes"));
    }

    private static void ranges(List<Row> rows) {
        String notContinuing = "does not continue the upload, which holds 1000 bytes";
        rows.add(row("chunk that skips ahead", f -> f.patch("1500-2499"), 416, "BLOB_UPLOAD_INVALID",
                notContinuing));
        rows.add(row("chunk overlapping what is there", f -> f.patch("500-1499"), 416, "BLOB_UPLOAD_INVALID",
                notContinuing));
        rows.add(row("chunk restarting at 0", f -> f.patch("0-999"), 416, "BLOB_UPLOAD_INVALID", notContinuing));
        rows.add(row("range ending before it starts", f -> f.patch("1000-500"), 416, "BLOB_UPLOAD_INVALID",
                "does not continue"));
        rows.add(row("range of words", f -> f.patch("bytes=abc-def"), 416, "BLOB_UPLOAD_INVALID",
                "is not <start>-<end>"));
        rows.add(row("open-ended range", f -> f.patch("1000-"), 416, "BLOB_UPLOAD_INVALID", "is not <start>-<end>"));
        rows.add(row("negative range", f -> f.patch("-1000-1999"), 416, "BLOB_UPLOAD_INVALID",
                "is not <start>-<end>"));
        rows.add(row("range of 20 digits", f -> f.patch("1000-99999999999999999999"), 416, "BLOB_UPLOAD_INVALID",
                "is not <start>-<end>"));
        rows.add(row("range of 19 digits past 2^63", f -> f.patch("9999999999999999999-9999999999999999999"), 416,
                "BLOB_UPLOAD_INVALID", "is not <start>-<end>"));
        rows.add(row("Content-Length disagreeing with Content-Range", f -> f.send("PATCH", f.location,
                "Content-Range: 1000-1999\r\nContent-Length: 999\r\n", Arrays.copyOf(f.second(), 999)), 416,
                "SIZE_INVALID", "does not match"));
        rows.add(row("completion whose range does not continue", f -> f.send("PUT", f.location + "?digest="
                + f.digest, "Content-Range: 1500-2499\r\n", f.second()), 416, "BLOB_UPLOAD_INVALID",
                notContinuing));
    }

    private static void sessions(List<Row> rows) {
        rows.add(row("chunk after completion", f -> f.patch("1000-1999"), 404, "BLOB_UPLOAD_UNKNOWN", "no upload")
                .given(Given.COMPLETED));
        rows.add(row("second completion", f -> f.finish(f.digest), 404, "BLOB_UPLOAD_UNKNOWN", "no upload")
                .given(Given.COMPLETED));
        rows.add(row("session id that is not a UUID", f -> f.send("PATCH", "/v2/" + f.repo
                + "/blobs/uploads/not-a-uuid", "", f.second()), 404, "BLOB_UPLOAD_UNKNOWN", "no upload"));
        rows.add(row("session id in upper case", f -> f.send("PATCH", "/v2/" + f.repo + "/blobs/uploads/"
                + f.id.toUpperCase(), "", f.second()), 404, "BLOB_UPLOAD_UNKNOWN", "no upload"));
        rows.add(row("another repository's session", f -> f.send("PATCH", "/v2/" + uniqueRepo("dev")
                + "/blobs/uploads/" + f.id, "", f.second()), 404, "BLOB_UPLOAD_UNKNOWN", "no upload"));
        rows.add(row("session id with encoded traversal", f -> f.send("PATCH", "/v2/" + f.repo
                + "/blobs/uploads/..%2F..%2Fblobs", "", f.second()), 400, "NAME_INVALID", "is not canonical"));
        rows.add(row("session id '..'", f -> f.send("PATCH", "/v2/" + f.repo + "/blobs/uploads/..", "",
                f.second()), 400, "NAME_INVALID", "is not canonical"));
        rows.add(row("chunk to an expired session", f -> f.patch("1000-1999"), 404, "BLOB_UPLOAD_UNKNOWN",
                "expired after PT24H").given(Given.EXPIRED));
        rows.add(row("completion of an expired session", f -> f.finish(f.digest), 404, "BLOB_UPLOAD_UNKNOWN",
                "expired after PT24H").given(Given.EXPIRED));
        rows.add(row("status of an expired session", f -> f.send("GET", f.location, "", null), 404,
                "BLOB_UPLOAD_UNKNOWN", "expired").given(Given.EXPIRED));
        rows.add(row("PATCH without a session id", f -> f.send("PATCH", "/v2/" + f.repo + "/blobs/uploads/", "",
                f.second()), 404, "UNSUPPORTED", "no such endpoint"));
    }

    private static void manifests(List<Row> rows) {
        rows.add(row("10 000 nested arrays", f -> f.putManifest(OCI_MANIFEST,
                "[".repeat(10_000) + "]".repeat(10_000)), 400, "MANIFEST_INVALID", "nesting depth"));
        rows.add(row("65 nested objects in the annotations", f -> f.putManifest(OCI_MANIFEST,
                f.manifestJson().replace("\"layers\"", "\"annotations\":" + "{\"a\":".repeat(65) + "1"
                        + "}".repeat(65) + ",\"layers\"")), 400, "MANIFEST_INVALID", "nesting depth"));
        rows.add(row("not JSON", f -> f.putManifest(OCI_MANIFEST, "schemaVersion: 2"), 400, "MANIFEST_INVALID",
                "not valid JSON"));
        rows.add(row("truncated JSON", f -> f.putManifest(OCI_MANIFEST, f.manifestJson().substring(0, 40)), 400,
                "MANIFEST_INVALID", "not valid JSON"));
        rows.add(row("JSON array, not an object", f -> f.putManifest(OCI_MANIFEST, "[]"), 400, "MANIFEST_INVALID",
                "must be a JSON object"));
        rows.add(row("invalid UTF-8", f -> f.send("PUT", "/v2/" + f.repo + "/manifests/1", "Content-Type: "
                + OCI_MANIFEST + "\r\n", invalidUtf8(f.manifestJson())), 400, "MANIFEST_INVALID", "not UTF-8"));
        rows.add(row("unknown Content-Type (application/json)", f -> f.putManifest("application/json",
                f.manifestJson().replace("\"mediaType\":\"" + OCI_MANIFEST + "\",", "")), 400, "MANIFEST_INVALID",
                "unsupported manifest media type 'application/json'"));
        rows.add(row("a blob's Content-Type", f -> f.putManifest("application/octet-stream", f.manifestJson()),
                400, "MANIFEST_INVALID", "unsupported manifest media type"));
        rows.add(row("no Content-Type and no mediaType", f -> f.putManifest(null,
                f.manifestJson().replace("\"mediaType\":\"" + OCI_MANIFEST + "\",", "")), 400, "MANIFEST_INVALID",
                "media type unknown"));
        rows.add(row("Content-Type disagreeing with mediaType", f -> f.putManifest(
                "application/vnd.docker.distribution.manifest.v2+json", f.manifestJson()), 400, "MANIFEST_INVALID",
                "does not match its Content-Type"));
        rows.add(row("Docker schema 1", f -> f.putManifest(
                "application/vnd.docker.distribution.manifest.v1+prettyjws", "{\"schemaVersion\":1}"), 400,
                "MANIFEST_INVALID", "schema 1"));
        rows.add(row("schemaVersion 3", f -> f.putManifest(OCI_MANIFEST,
                f.manifestJson().replace("\"schemaVersion\":2", "\"schemaVersion\":3")), 400, "MANIFEST_INVALID",
                "schemaVersion must be 2"));
        rows.add(row("layer with a malformed digest", f -> f.putManifest(OCI_MANIFEST,
                f.manifestJson().replace(f.layerDigest, "sha256:nothex")), 400, "MANIFEST_INVALID", "layers[]"));
        rows.add(row("layer with a negative size", f -> f.putManifest(OCI_MANIFEST,
                f.manifestJson().replace("\"size\":" + f.layer.length, "\"size\":-1")), 400, "MANIFEST_INVALID",
                "has no valid size"));
        rows.add(row("no config", f -> f.putManifest(OCI_MANIFEST, "{\"schemaVersion\":2,\"mediaType\":\""
                + OCI_MANIFEST + "\",\"layers\":[]}"), 400, "MANIFEST_INVALID", "needs a config descriptor"));
        rows.add(row("layers not an array", f -> f.putManifest(OCI_MANIFEST, "{\"schemaVersion\":2,\"config\":"
                + f.configDescriptor() + ",\"layers\":{}}"), 400, "MANIFEST_INVALID", "'layers' must be an array"));
        rows.add(row("subject that is not a descriptor", f -> f.putManifest(OCI_MANIFEST,
                f.manifestJson().replace("\"layers\"", "\"subject\":\"x\",\"layers\"")), 400, "MANIFEST_INVALID",
                "subject must be a descriptor object"));
        rows.add(row("index without manifests", f -> f.putManifest(OCI_INDEX, "{\"schemaVersion\":2}"), 400,
                "MANIFEST_INVALID", "missing 'manifests'"));
        rows.add(row("layer the repository does not hold", f -> f.putManifest(OCI_MANIFEST,
                f.manifestJson().replace(f.layerDigest, MISSING)), 404, "MANIFEST_BLOB_UNKNOWN", "does not hold"));
        rows.add(row("index over a manifest the repository does not hold", f -> f.putManifest(OCI_INDEX,
                new String(Oci.index(List.of(descriptor(OCI_MANIFEST, MISSING, 100))), StandardCharsets.UTF_8)),
                404, "MANIFEST_BLOB_UNKNOWN", "does not hold"));
    }

    /** The table's row: a hostile request, what must be in place first, and the answer it must get. */
    record Row(String name, Given given, Request request, int status, String code, String detail, Effect effect) {
        Row given(Given what) {
            return new Row(name, what, request, status, code, detail, effect);
        }

        /** The refusal ends the row's upload session (its staging file and row go). */
        Row ends() {
            return new Row(name, given, request, status, code, detail, Effect.ENDED);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static Row row(String name, Request request, int status, String code, String detail) {
        return new Row(name, Given.SESSION, request, status, code, detail, Effect.KEPT);
    }

    /** What is in place before the request. */
    enum Given {
        /** An upload session holding the first 1000 of the fixture blob's 2000 bytes. */
        SESSION,
        /** That session, completed: the blob is stored. */
        COMPLETED,
        /** That session, started longer ago than the upload lifetime. */
        EXPIRED
    }

    enum Effect {
        KEPT,
        ENDED
    }

    @FunctionalInterface
    interface Request {
        RawHttp.Answer send(Fixture f) throws IOException;
    }

    private static byte[] invalidUtf8(String json) {
        byte[] bytes = json.replace("\"layers\"", "\"annotations\":{\"k\":\"XX\"},\"layers\"")
                .getBytes(StandardCharsets.UTF_8);
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("XX");
        bytes[at] = (byte) 0xC3; // a lead byte followed by an ASCII byte: not UTF-8
        return bytes;
    }

    /**
     * A fresh repository holding a config and a layer, and an upload session (whose state the row's {@link Given}
     * sets) of a fresh 2000-byte blob: new content every time, since the store outlives test runs.
     */
    static final class Fixture {
        final URL base;
        final String repo = uniqueRepo("dev");
        final byte[] blob = randomBytes(2000, System.nanoTime());
        final String digest = sha256(blob);
        final byte[] configBlob = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"n\":" + System.nanoTime() + "}")
                .getBytes(StandardCharsets.UTF_8);
        final byte[] layer = randomBytes(512, System.nanoTime());
        String configDigest;
        String layerDigest;
        String location;
        String id;

        Fixture(URL base) {
            this.base = base;
        }

        void prepare(Given given, Consumer<String> backdate) {
            configDigest = pushBlob(repo, configBlob);
            layerDigest = pushBlob(repo, layer);
            location = given().post("/v2/" + repo + "/blobs/uploads/").then().statusCode(202).extract()
                    .header("Location");
            id = location.substring(location.lastIndexOf('/') + 1);
            given().contentType("application/octet-stream").header("Content-Range", "0-999")
                    .body(Arrays.copyOf(blob, 1000)).patch(location).then().statusCode(202);
            if (given == Given.COMPLETED) {
                complete().then().statusCode(201);
            } else if (given == Given.EXPIRED) {
                backdate.accept(id);
            }
        }

        io.restassured.response.Response complete() {
            return given().contentType("application/octet-stream").header("Content-Range", "1000-1999")
                    .body(second()).put(location + "?digest=" + digest);
        }

        /** The last path components of the repository, for names that put something before them. */
        String app() {
            return repo.substring("dev/".length());
        }

        byte[] second() {
            return Arrays.copyOfRange(blob, 1000, 2000);
        }

        String configDescriptor() {
            return descriptor("application/vnd.oci.image.config.v1+json", configDigest, configBlob.length);
        }

        /** A manifest the repository could take: over the config and layer it holds. */
        String manifestJson() {
            return "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":" + configDescriptor()
                    + ",\"layers\":[" + descriptor("application/vnd.oci.image.layer.v1.tar", layerDigest,
                    layer.length) + "]}";
        }

        /** That manifest padded with an annotation to exactly {@code size} bytes. */
        byte[] paddedManifest(int size) {
            String json = manifestJson().replace("\"layers\"", "\"annotations\":{\"pad\":\"\"},\"layers\"");
            int padding = size - json.getBytes(StandardCharsets.UTF_8).length;
            String padded = json.replace("{\"pad\":\"\"}", "{\"pad\":\"" + "p".repeat(padding) + "\"}");
            assertThat(padded.getBytes(StandardCharsets.UTF_8)).hasSize(size);
            return padded.getBytes(StandardCharsets.UTF_8);
        }

        RawHttp.Answer post(String target) throws IOException {
            return send("POST", target, "", null);
        }

        RawHttp.Answer putManifest(String target) throws IOException {
            return send("PUT", target, "Content-Type: " + OCI_MANIFEST + "\r\n",
                    manifestJson().getBytes(StandardCharsets.UTF_8));
        }

        RawHttp.Answer putManifest(String contentType, String json) throws IOException {
            return send("PUT", "/v2/" + repo + "/manifests/1", contentType == null ? ""
                    : "Content-Type: " + contentType + "\r\n", json.getBytes(StandardCharsets.UTF_8));
        }

        RawHttp.Answer patch(String contentRange) throws IOException {
            return send("PATCH", location, "Content-Range: " + contentRange + "\r\n", second());
        }

        RawHttp.Answer finish(String digestParameter) throws IOException {
            return send("PUT", location + "?digest=" + digestParameter, "Content-Range: 1000-1999\r\n", second());
        }

        /**
         * One request: the head lines given, a Content-Length for the body unless they carry their own length, and the
         * body in the same write.
         */
        RawHttp.Answer send(String method, String target, String headers, byte[] body) throws IOException {
            return RawHttp.exchange(base, head(method, target, headers, body), body == null ? new byte[0] : body);
        }

        /** As {@link #send}, writing the body from another thread while the answer is read (it may come first). */
        RawHttp.Answer sendWhileReading(String method, String target, String headers, byte[] body)
                throws IOException {
            try (RawHttp http = new RawHttp(base)) {
                http.send(head(method, target, headers, body));
                http.sendInBackground(body);
                return http.read();
            }
        }

        private static String head(String method, String target, String headers, byte[] body) {
            boolean framed = headers.contains("Content-Length:") || headers.contains("Transfer-Encoding:");
            return method + " " + target + " HTTP/1.1\r\nHost: registry\r\n" + headers
                    + (framed || body == null ? "" : "Content-Length: " + body.length + "\r\n") + "\r\n";
        }
    }
}

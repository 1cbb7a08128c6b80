package dev.gantry.registry.clients;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The blob-upload protocol driven with java.net.http, as the OCI Distribution spec describes it: chunked (POST,
 * PATCH with Content-Range, PUT ?digest=), POST-then-single-PUT (containerd), and the 416 for an out-of-order chunk.
 */
@QuarkusTest
class ChunkedUploadTest {

    private static final String OCTETS = "application/octet-stream";

    private static URI location(HttpResponse<byte[]> response) {
        String location = response.headers().firstValue("Location")
                .orElseThrow(() -> new AssertionError("no Location: " + RegistryHttp.describe(response)));
        return response.uri().resolve(location);
    }

    private static URI withDigest(URI upload, String digest) {
        String separator = upload.getRawQuery() == null ? "?" : "&";
        return URI.create(upload + separator + "digest=" + digest);
    }

    private static HttpResponse<byte[]> startUpload(String repository) {
        HttpResponse<byte[]> started = RegistryHttp.send(RegistryHttp.request("/v2/" + repository + "/blobs/uploads/")
                .POST(BodyPublishers.noBody()).build());
        assertThat(started.statusCode()).as(RegistryHttp.describe(started)).isEqualTo(202);
        return started;
    }

    private static HttpResponse<byte[]> patch(URI upload, byte[] data, int from, int to) {
        return RegistryHttp.send(HttpRequest.newBuilder(upload)
                .header("Content-Type", OCTETS)
                .header("Content-Range", from + "-" + (to - 1))
                .method("PATCH", BodyPublishers.ofByteArray(Arrays.copyOfRange(data, from, to)))
                .build());
    }

    private static void assertServed(String repository, String digest, byte[] data) {
        HttpResponse<byte[]> head = RegistryHttp.send(RegistryHttp.request("/v2/" + repository + "/blobs/" + digest)
                .method("HEAD", BodyPublishers.noBody()).build());
        assertThat(head.statusCode()).as(RegistryHttp.describe(head)).isEqualTo(200);
        assertThat(head.headers().firstValueAsLong("Content-Length")).as(RegistryHttp.describe(head))
                .hasValue(data.length);
        assertThat(head.headers().firstValue("Docker-Content-Digest")).as(RegistryHttp.describe(head))
                .contains(digest);
        HttpResponse<byte[]> get = RegistryHttp.send(RegistryHttp.request("/v2/" + repository + "/blobs/" + digest)
                .GET().build());
        assertThat(get.statusCode()).as(RegistryHttp.describe(get)).isEqualTo(200);
        assertThat(OciLayout.sha256(get.body())).isEqualTo(digest);
        assertThat(get.body()).isEqualTo(data);
    }

    @Test
    void aBlobUploadedInSeveralChunksIsServedBackByteForByte() {
        byte[] data = TestImages.randomBytes(21, 300_000 + 17);
        String digest = OciLayout.sha256(data);
        String repository = TestRegistry.repository("dev/chunked/app");
        int[] cuts = {0, 65_536, 131_072, 250_001, data.length - 1_000};

        URI upload = location(startUpload(repository));
        for (int i = 0; i + 1 < cuts.length; i++) {
            HttpResponse<byte[]> chunk = patch(upload, data, cuts[i], cuts[i + 1]);
            assertThat(chunk.statusCode()).as("chunk %d: %s", i, RegistryHttp.describe(chunk)).isEqualTo(202);
            assertThat(chunk.headers().firstValue("Range")).as(RegistryHttp.describe(chunk))
                    .contains("0-" + (cuts[i + 1] - 1));
            upload = location(chunk);
        }
        HttpResponse<byte[]> status = RegistryHttp.send(HttpRequest.newBuilder(upload).GET().build());
        assertThat(status.statusCode()).as(RegistryHttp.describe(status)).isEqualTo(204);
        assertThat(status.headers().firstValue("Range")).as(RegistryHttp.describe(status))
                .contains("0-" + (cuts[cuts.length - 1] - 1));
        upload = location(status);

        // The last chunk travels with the closing PUT, as the spec allows.
        byte[] last = Arrays.copyOfRange(data, cuts[cuts.length - 1], data.length);
        HttpResponse<byte[]> done = RegistryHttp.send(HttpRequest.newBuilder(withDigest(upload, digest))
                .header("Content-Type", OCTETS)
                .PUT(BodyPublishers.ofByteArray(last)).build());
        assertThat(done.statusCode()).as(RegistryHttp.describe(done)).isEqualTo(201);
        assertThat(done.headers().firstValue("Docker-Content-Digest")).as(RegistryHttp.describe(done))
                .contains(digest);
        assertThat(location(done).getPath()).as(RegistryHttp.describe(done))
                .isEqualTo("/v2/" + repository + "/blobs/" + digest);

        assertServed(repository, digest, data);
    }

    @Test
    void aPostFollowedByOnePutWithTheWholeBlobStoresIt() {
        byte[] data = TestImages.randomBytes(22, 123_457);
        String digest = OciLayout.sha256(data);
        String repository = TestRegistry.repository("dev/chunked/single-put");

        URI upload = location(startUpload(repository));
        HttpResponse<byte[]> done = RegistryHttp.send(HttpRequest.newBuilder(withDigest(upload, digest))
                .header("Content-Type", OCTETS)
                .PUT(BodyPublishers.ofByteArray(data)).build());

        assertThat(done.statusCode()).as(RegistryHttp.describe(done)).isEqualTo(201);
        assertServed(repository, digest, data);
    }

    @Test
    void aClosingPutWithTheWrongDigestIsRefusedAndNothingIsStored() {
        byte[] data = TestImages.randomBytes(23, 10_000);
        String claimed = OciLayout.sha256(TestImages.randomBytes(24, 10_000));
        String repository = TestRegistry.repository("dev/chunked/bad-digest");

        URI upload = location(startUpload(repository));
        HttpResponse<byte[]> done = RegistryHttp.send(HttpRequest.newBuilder(withDigest(upload, claimed))
                .header("Content-Type", OCTETS)
                .PUT(BodyPublishers.ofByteArray(data)).build());

        assertThat(done.statusCode()).as(RegistryHttp.describe(done)).isEqualTo(400);
        assertThat(new String(done.body())).as(RegistryHttp.describe(done)).contains("DIGEST_INVALID");
        HttpResponse<byte[]> head = RegistryHttp.send(RegistryHttp.request("/v2/" + repository + "/blobs/" + claimed)
                .method("HEAD", BodyPublishers.noBody()).build());
        assertThat(head.statusCode()).as(RegistryHttp.describe(head)).isEqualTo(404);
    }

    @Test
    void anOutOfOrderChunkIsRefusedWith416AndTheUploadCanStillBeFinished() {
        TestRegistry.assumeGantry("Distribution 2.8 appends an out-of-order chunk instead of answering 416");
        byte[] data = TestImages.randomBytes(25, 3_000);
        String digest = OciLayout.sha256(data);
        String repository = TestRegistry.repository("dev/chunked/out-of-order");

        URI upload = location(startUpload(repository));
        HttpResponse<byte[]> first = patch(upload, data, 0, 1_000);
        assertThat(first.statusCode()).as(RegistryHttp.describe(first)).isEqualTo(202);
        upload = location(first);

        HttpResponse<byte[]> gap = patch(upload, data, 2_000, 3_000);
        assertThat(gap.statusCode()).as("a chunk starting past the end: " + RegistryHttp.describe(gap))
                .isEqualTo(416);

        HttpResponse<byte[]> status = RegistryHttp.send(HttpRequest.newBuilder(upload).GET().build());
        assertThat(status.statusCode()).as(RegistryHttp.describe(status)).isEqualTo(204);
        assertThat(status.headers().firstValue("Range")).as("the refused chunk was not kept: "
                + RegistryHttp.describe(status)).contains("0-999");
        HttpResponse<byte[]> second = patch(location(status), data, 1_000, 3_000);
        assertThat(second.statusCode()).as(RegistryHttp.describe(second)).isEqualTo(202);
        HttpResponse<byte[]> done = RegistryHttp.send(HttpRequest.newBuilder(withDigest(location(second), digest))
                .PUT(BodyPublishers.noBody()).build());
        assertThat(done.statusCode()).as(RegistryHttp.describe(done)).isEqualTo(201);
        assertServed(repository, digest, data);
    }
}

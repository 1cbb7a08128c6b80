package dev.gantry.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A pod with one container in {@code shop-qa} (environment qa: registry qa, digest required and verified), one row
 * per reference: allowed, or denied with the reason it must give.
 */
@QuarkusTest
class ImageReferenceTableTest extends WebhookTest {
    private static final String SHA512 = "sha512:" + "ab".repeat(64);

    static Stream<Arguments> references() {
        return Stream.of(
                allowed("pinned by digest, promoted to qa", HOST + "/qa/team/app@PROMOTED"),
                allowed("tag and digest: the digest decides", HOST + "/qa/team/app:1.0@PROMOTED"),
                allowed("the registry's host alias", WebhookTestResource.ALIAS + "/qa/team/app@PROMOTED"),
                allowed("host names are case-insensitive", "GANTRY.TEST:5000/qa/team/app@PROMOTED"),
                denied("a tag only", HOST + "/qa/team/app:1.0",
                        "is not pinned by digest; use " + HOST + "/qa/team/app@sha256:<digest>"),
                denied("no tag, no digest", HOST + "/qa/team/app", "is not pinned by digest"),
                denied("a digest from the wrong registry", HOST + "/dev/team/app@PROMOTED",
                        "comes from registry \"dev\", but namespace \"shop-qa\" belongs to environment \"qa\", "
                                + "which runs images from registry \"qa\" only"),
                denied("a digest never promoted to qa", HOST + "/qa/team/app@DEV_ONLY",
                        "was never promoted to registry \"qa\": it does not hold team/app@DEV_ONLY"),
                denied("a registry that only starts with the allowed name", HOST + "/qa-evil/team/app@PROMOTED",
                        "comes from registry \"qa-evil\""),
                denied("a longer registry name", HOST + "/qaa/team/app@PROMOTED", "comes from registry \"qaa\""),
                denied("a host that only starts with the allowed one", "gantry.test.evil.example:5000/qa/team/app"
                        + "@PROMOTED", "does not come from the Gantry registry (" + HOST + ")"),
                denied("the host without its port", "gantry.test/qa/team/app@PROMOTED",
                        "does not come from the Gantry registry"),
                denied("another port", "gantry.test:5001/qa/team/app@PROMOTED",
                        "does not come from the Gantry registry"),
                denied("Docker Hub by default", "nginx:1.25", "does not come from the Gantry registry"),
                denied("Docker Hub spelled out", "docker.io/library/nginx@PROMOTED",
                        "does not come from the Gantry registry"),
                denied("the registry alone, no repository", HOST + "/qa@PROMOTED", "but no repository in it"),
                denied("an uppercase repository", HOST + "/qa/Team/App@PROMOTED", "is not a valid image reference"),
                denied("sha512, not held", HOST + "/qa/team/app@" + SHA512, "was never promoted to registry \"qa\""),
                denied("a short digest", HOST + "/qa/team/app@sha256:abc", "is not a valid image reference"),
                denied("an unknown algorithm", HOST + "/qa/team/app@md5:d41d8cd98f00b204e9800998ecf8427e",
                        "is not a valid image reference"),
                denied("an uppercase digest", HOST + "/qa/team/app@sha256:" + "AB".repeat(32),
                        "is not a valid image reference"),
                denied("an empty image", "", "no image is given"),
                denied("an exemption does not reach into subpaths", "registry.k8s.io/pause/evil:3.9",
                        "does not come from the Gantry registry"),
                allowed("an exempt image, with a warning", "registry.k8s.io/pause:3.9"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("references")
    void eachReferenceIsAllowedOrDeniedForItsReason(String why, String image, boolean allowed, String reason)
            throws Exception {
        String written = image.replace("PROMOTED", promoted).replace("DEV_ONLY", devOnly);
        var review = pod("shop-qa", written);
        var response = response(review);
        assertThat(response.path("allowed").asBoolean()).as(why + ": " + written + " → " + response).isEqualTo(allowed);
        if (!allowed) {
            assertThat(response.path("status").path("code").asInt()).isEqualTo(403);
            assertThat(response.path("status").path("message").asText())
                    .startsWith("container \"c0\": ")
                    .contains(reason.replace("DEV_ONLY", devOnly));
        }
    }

    private static Arguments allowed(String why, String image) {
        return Arguments.of(why, image, true, null);
    }

    private static Arguments denied(String why, String image, String reason) {
        return Arguments.of(why, image, false, reason);
    }
}

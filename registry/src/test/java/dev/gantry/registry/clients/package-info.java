/**
 * Real-client tests: the registry driven by the clients people use (skopeo, podman, buildah, containerd's ctr, Jib)
 * and by raw HTTP for the upload protocol, each test a push and pull compared byte for byte.
 * <p>
 * Run (from the repository root; JDK 21+):
 * <pre>
 * ./mvnw -B -pl registry -am verify -Dtest='dev.gantry.registry.clients.*Test' -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * Clients come from Debian: {@code apt-get install -y --no-install-recommends skopeo podman buildah umoci containerd}
 * (plus {@code tar}). A missing client skips its tests; with {@code GANTRY_REQUIRE_CLIENTS=true} (CI) it fails them.
 * Tests run as root (podman/buildah use a private vfs storage in a temp dir, containerd a private instance; skopeo's
 * blob-info cache under /var/lib/containers/cache is deleted by the cross-repository mount test).
 * <p>
 * Against another registry, e.g. CNCF Distribution to check the tests themselves:
 * <pre>
 * cat &gt; /tmp/reg.yml &lt;&lt;EOF
 * version: 0.1
 * storage: {filesystem: {rootdirectory: /tmp/reg-data}, delete: {enabled: true}}
 * http: {addr: 127.0.0.1:5001}
 * EOF
 * docker-registry serve /tmp/reg.yml &amp;
 * GANTRY_TEST_REGISTRY=127.0.0.1:5001 ./mvnw -B -pl registry -am verify -Dtest='dev.gantry.registry.clients.*Test' \
 *     -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * Assertions that only Gantry must pass (spec points Distribution 2.8 gets wrong, Gantry's own registries) are skipped
 * there, through {@link dev.gantry.registry.clients.TestRegistry#assumeGantry(String)}. Test images are built offline
 * with umoci from seeded random content and cached in {@code target/client-images/}.
 */
package dev.gantry.registry.clients;

package dev.gantry.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.gantry.api.TagFreshness;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** The registry a Remote registry caches. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Upstream {
    public static final String NEVER = TagFreshness.NEVER;
    public static final String DEFAULT_TAG_FRESHNESS = TagFreshness.DEFAULT;
    public static final int URL_MAX = 2048;
    public static final int FRESHNESS_MAX = 32;

    @Required
    @Pattern(Names.HTTP_URL)
    @Size(max = URL_MAX)
    @JsonPropertyDescription("Base URL of the upstream registry, e.g. https://registry-1.docker.io.")
    private String url;

    @JsonPropertyDescription("Secret with the keys username and password for the upstream; anonymous when absent.")
    private SecretReference credentialsSecret;

    @Default(DEFAULT_TAG_FRESHNESS)
    @Pattern(Names.FRESHNESS)
    @Size(max = FRESHNESS_MAX)
    @JsonPropertyDescription("How long a cached tag-to-digest mapping is trusted before the upstream is asked again: a "
            + "duration such as 30m or 6h, or Never to trust it forever. Digests are immutable and always cached.")
    private String tagFreshness;

    public Upstream() {
    }

    public Upstream(String url) {
        this.url = url;
    }

    public String getUrl() {
        return url;
    }

    public void setUrl(String url) {
        this.url = url;
    }

    public SecretReference getCredentialsSecret() {
        return credentialsSecret;
    }

    public void setCredentialsSecret(SecretReference credentialsSecret) {
        this.credentialsSecret = credentialsSecret;
    }

    public String getTagFreshness() {
        return tagFreshness;
    }

    public void setTagFreshness(String tagFreshness) {
        this.tagFreshness = tagFreshness;
    }

    /**
     * The freshness period, defaulted; empty means {@code Never} (cached tags are trusted forever).
     *
     * @throws IllegalArgumentException if the text is not a duration (the validators report it first)
     */
    @JsonIgnore
    public Optional<Duration> tagFreshnessPeriod() {
        return TagFreshness.parse(tagFreshness);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Upstream other && Objects.equals(url, other.url)
                && Objects.equals(credentialsSecret, other.credentialsSecret)
                && Objects.equals(tagFreshness, other.tagFreshness);
    }

    @Override
    public int hashCode() {
        return Objects.hash(url, credentialsSecret, tagFreshness);
    }
}

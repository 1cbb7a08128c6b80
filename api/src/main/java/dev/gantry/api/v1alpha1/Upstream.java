package dev.gantry.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;

/** The registry a Remote registry caches. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Upstream {
    public static final String NEVER = "Never";
    public static final String DEFAULT_TAG_FRESHNESS = "6h";
    public static final int URL_MAX = 2048;
    public static final int FRESHNESS_MAX = 32;
    private static final java.util.regex.Pattern DURATION_PART = java.util.regex.Pattern.compile("([0-9]+)(ms|s|m|h)");

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
        String text = tagFreshness == null ? DEFAULT_TAG_FRESHNESS : tagFreshness;
        if (NEVER.equals(text)) {
            return Optional.empty();
        }
        return Optional.of(parseDuration(text));
    }

    static Duration parseDuration(String text) {
        if (!text.matches(Names.FRESHNESS) || NEVER.equals(text)) {
            throw new IllegalArgumentException("not a duration: \"" + text + "\" (write e.g. 30m, 6h or 1h30m)");
        }
        try {
            Duration total = Duration.ZERO;
            Matcher m = DURATION_PART.matcher(text);
            while (m.find()) {
                long n = Long.parseLong(m.group(1));
                total = total.plus(switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                });
            }
            return total;
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("duration out of range: \"" + text + "\"", e);
        }
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

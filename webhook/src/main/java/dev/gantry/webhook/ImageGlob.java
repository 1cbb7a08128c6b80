package dev.gantry.webhook;

import java.util.regex.Pattern;

/**
 * An {@code exemptImages} pattern: {@code *} matches within one path component, {@code **} across components,
 * everything else literally (so {@code registry.k8s.io/pause:*} does not also admit {@code registry.k8s.io/pause/x}).
 */
public record ImageGlob(String pattern, Pattern regex) {
    public static ImageGlob of(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*' && i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
                regex.append(".*");
                i++;
            } else if (c == '*') {
                regex.append("[^/]*");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return new ImageGlob(pattern, Pattern.compile(regex.toString()));
    }

    public boolean matches(String image) {
        return regex.matcher(image).matches();
    }
}

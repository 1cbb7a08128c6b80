package dev.gantry.registry.management;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** A refused management request; answered as {@code {"code": "...", "message": "..."}}. */
public class ApiException extends RuntimeException {
    private final ApiError error;

    public ApiException(ApiError error, String message) {
        super(message);
        this.error = error;
    }

    public ApiError error() {
        return error;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Body(String code, String message) {
    }

    @Provider
    public static class Mapper implements ExceptionMapper<ApiException> {
        @Override
        public Response toResponse(ApiException e) {
            return Response.status(e.error().status()).type(MediaType.APPLICATION_JSON)
                    .entity(new Body(e.error().name(), e.getMessage())).build();
        }
    }
}

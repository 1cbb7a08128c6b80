package dev.gantry.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/**
 * {@code POST /validate}: the endpoint the ValidatingWebhookConfiguration names. Anything that is not an
 * AdmissionReview is answered 400 with a message.
 */
@Path("/validate")
public class AdmissionResource {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    AdmissionReviews reviews;

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response validate(String body) {
        JsonNode review;
        try {
            review = JSON.readTree(body == null ? "" : body);
        } catch (JsonProcessingException e) {
            return badRequest("the request body is not JSON: " + e.getOriginalMessage());
        }
        try {
            return Response.ok(reviews.answer(review)).build();
        } catch (MalformedReviewException e) {
            return badRequest(e.getMessage());
        }
    }

    private static Response badRequest(String message) {
        return Response.status(400).type(MediaType.APPLICATION_JSON).entity(Map.of("message", message)).build();
    }
}

package org.recycledattention.server;

import static java.util.Objects.requireNonNull;

/**
 * An error answer in OpenAI's shape: {@code {"error": {"message", "type", "param", "code"}}} with
 * an HTTP status. The message is one line that names what is wrong and what to send instead.
 */
final class ApiError extends RuntimeException {
  static final String INVALID_REQUEST = "invalid_request_error";
  static final String UNAVAILABLE = "unavailable_error";
  static final String SERVER_ERROR = "server_error";
  static final String NOT_FOUND = "not_found_error";

  private final int status;
  private final String type;
  private final String param;

  ApiError(int status, String type, String param, String message) {
    super(requireNonNull(message, "message is null"));
    this.status = status;
    this.type = requireNonNull(type, "type is null");
    this.param = param;
  }

  /** 400 invalid_request_error about {@code param} (may be null). */
  static ApiError badRequest(String param, String message) {
    return new ApiError(400, INVALID_REQUEST, param, message);
  }

  /** 404 not_found_error about {@code param} (may be null). */
  static ApiError notFound(String param, String message) {
    return new ApiError(404, NOT_FOUND, param, message);
  }

  /** 503 unavailable_error: the server cannot take or finish the request now. */
  static ApiError unavailable(String message) {
    return new ApiError(503, UNAVAILABLE, null, message);
  }

  /** 500 server_error. */
  static ApiError serverError(String message) {
    return new ApiError(500, SERVER_ERROR, null, message);
  }

  int status() {
    return status;
  }

  String type() {
    return type;
  }

  /** The request field at fault, or null. */
  String param() {
    return param;
  }
}

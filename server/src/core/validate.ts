import type { RequestHandler } from 'express';
import { AppError } from './errors';
import { describeErrors, validatorFor } from './schemas';

/** Rejects a request whose JSON body does not match `schema/api/<name>` with 400 invalid_request. */
export function validateBody(name: string): RequestHandler {
  const validate = validatorFor(name);
  return (req, _res, next) => {
    if (req.body === undefined) {
      next(AppError.invalid('A JSON body (Content-Type: application/json) is required'));
      return;
    }
    if (!validate(req.body)) {
      next(AppError.invalid('The request body does not match the schema', { errors: describeErrors(validate.errors) }));
      return;
    }
    next();
  };
}

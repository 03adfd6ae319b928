import { createParamDecorator, Injectable, type ExecutionContext } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { createValidationPipe } from '../../../common/http/validation.js';
import { FailureLimiter } from '../../../common/rate-limit/failure-limiter.js';
import { clientIp } from '../../../common/rate-limit/rate-limit.js';
import { User } from '../../users/entities/user.entity.js';
import { AuthLimits } from '../auth-limits.js';
import { InvalidCredentials } from '../auth.errors.js';
import { LoginDto } from '../dto/login.dto.js';

/**
 * Guards run before pipes, so the body is validated here first: passport-local must
 * only ever see a well-formed `{ email, password }`. Only wrong credentials count
 * against the login limits.
 */
@Injectable()
export class LocalAuthGuard extends AuthGuard('local') {
  private readonly validation = createValidationPipe();

  constructor(
    private readonly limiter: FailureLimiter,
    private readonly limits: AuthLimits,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const credentials: unknown = await this.validation.transform(request.body, { type: 'body', metatype: LoginDto });
    if (!(credentials instanceof LoginDto)) throw new InvalidCredentials();
    request.body = credentials;
    const result = await this.limiter.attempt(
      this.limits.login(credentials.email, clientIp(request)),
      async () => super.canActivate(context),
      (error) => error instanceof InvalidCredentials,
    );
    return result === true;
  }

  override handleRequest<TUser>(error: unknown, user: TUser | false): TUser {
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrown verbatim: socket errors come from Node's realm, where `instanceof Error` fails
    if (error) throw error;
    if (!user) throw new InvalidCredentials();
    return user;
  }
}

/** The user whose credentials `LocalAuthGuard` just verified. */
export const CredentialsOwner = createParamDecorator((_data: unknown, context: ExecutionContext): User => {
  const user = context.switchToHttp().getRequest<FastifyRequest>().user;
  if (!(user instanceof User)) throw new Error('CredentialsOwner used without LocalAuthGuard');
  return user;
});

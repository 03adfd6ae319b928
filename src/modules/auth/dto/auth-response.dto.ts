import { UserDto } from '../../users/dto/user.dto.js';
import type { SignedIn } from '../auth.service.js';
import type { TokenPair } from '../sessions.service.js';

export class TokenPairDto implements TokenPair {
  /** JWT to send as `Authorization: Bearer <accessToken>`. */
  accessToken!: string;
  /** Opaque; exchange it at `POST /auth/refresh` for a new pair. Single use. */
  refreshToken!: string;
  /** @example Bearer */
  tokenType!: 'Bearer';
  /** Lifetime of the access token, in seconds. @example 900 */
  expiresIn!: number;
}

export class AuthResponseDto extends TokenPairDto {
  user!: UserDto;

  static from({ user, tokens }: SignedIn): AuthResponseDto {
    return { user: UserDto.from(user), ...tokens };
  }
}

import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  HttpStatus,
  Post,
  Query,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthenticatedUser } from '../../common/auth/authenticated-user.js';
import { CurrentUser, Public } from '../../common/auth/decorators.js';
import { UuidParam } from '../../common/http/params.js';
import { setLocation } from '../../common/http/resource-headers.js';
import { UserAgent } from '../../common/http/user-agent.js';
import { ApiProblems } from '../../common/openapi/api-problems.decorator.js';
import { PageQueryDto } from '../../common/pagination/page-query.dto.js';
import { clientIp, RateLimit } from '../../common/rate-limit/rate-limit.js';
import type { User } from '../users/entities/user.entity.js';
import { AuthService } from './auth.service.js';
import { AuthResponseDto, TokenPairDto } from './dto/auth-response.dto.js';
import { LoginDto } from './dto/login.dto.js';
import { RefreshDto } from './dto/refresh.dto.js';
import { RegisterDto } from './dto/register.dto.js';
import { SessionPageDto } from './dto/session.dto.js';
import { CredentialsOwner, LocalAuthGuard } from './guards/local-auth.guard.js';
import { SessionsService } from './sessions.service.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionsService,
  ) {}

  /** Create an account; the response signs the new user in. */
  @Public()
  @RateLimit('credentials-ip', 'credentials-email')
  @Post('register')
  @Header('Cache-Control', 'no-store') // every response carrying tokens (RFC 6749 §5.1)
  @ApiCreatedResponse({ type: AuthResponseDto })
  @ApiProblems(400, 409, 413, 415, 429)
  async register(
    @Body() body: RegisterDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @UserAgent() userAgent: string | undefined,
  ): Promise<AuthResponseDto> {
    const registered = AuthResponseDto.from(await this.auth.register(body, userAgent));
    // Only on success: a static @Header would put it on the 400 and 409 too.
    setLocation(reply, 'users', 'me');
    return registered;
  }

  /**
   * Sign in with email and password; wrong email and wrong password answer alike.
   * Failed attempts are limited per (email, client), per client and per email.
   */
  @Public()
  @UseGuards(LocalAuthGuard)
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: AuthResponseDto })
  @ApiProblems(400, 401, 413, 415, 429)
  async login(
    @Body() _credentials: LoginDto,
    @CredentialsOwner() user: User,
    @UserAgent() userAgent: string | undefined,
  ): Promise<AuthResponseDto> {
    return AuthResponseDto.from(await this.auth.login(user, userAgent));
  }

  /**
   * Exchange a refresh token for a new token pair. Each refresh token works once:
   * presenting a spent one again revokes its whole session, except within a short grace
   * period after it was spent (two tabs refreshing at once), which gets a fresh pair.
   */
  @Public()
  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: TokenPairDto })
  @ApiProblems(400, 401, 413, 415, 429)
  refresh(@Body() body: RefreshDto, @Req() request: FastifyRequest): Promise<TokenPairDto> {
    return this.auth.refresh(body.refreshToken, clientIp(request));
  }

  /** End the current session: its access and refresh tokens stop working at once. */
  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Signed out' })
  @ApiProblems(401, 429)
  logout(@CurrentUser() caller: AuthenticatedUser): Promise<void> {
    return this.auth.logout(caller);
  }

  /** The caller's active sessions, newest first. */
  @Get('sessions')
  @ApiOkResponse({ type: SessionPageDto })
  @ApiProblems(400, 401, 429)
  listSessions(@CurrentUser() caller: AuthenticatedUser, @Query() page: PageQueryDto): Promise<SessionPageDto> {
    return this.sessions.listActive(caller, page);
  }

  /** Revoke one of the caller's sessions (signs that device out). */
  @Delete('sessions/:sessionId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Session revoked' })
  @ApiProblems(400, 401, 404, 429)
  revokeSession(@CurrentUser() caller: AuthenticatedUser, @UuidParam('sessionId') sessionId: string): Promise<void> {
    return this.sessions.revoke(caller, sessionId);
  }
}

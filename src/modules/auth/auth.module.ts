import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { createSecretKey } from 'node:crypto';
import { PassportModule } from '@nestjs/passport';
import { RateLimitModule } from '../../common/rate-limit/rate-limit.module.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.module.js';
import { MailModule } from '../mail/mail.module.js';
import { UsersModule } from '../users/users.module.js';
import { AccountMails } from './account-mails.js';
import { AccountRecoveryController, EmailController } from './account-recovery.controller.js';
import { AccountRecoveryService } from './account-recovery.service.js';
import { AccountTokensPurger } from './account-tokens.purger.js';
import { AccountToken } from './entities/account-token.entity.js';
import { AuthController } from './auth.controller.js';
import { AuthLimits } from './auth-limits.js';
import { AuthService } from './auth.service.js';
import { RefreshToken } from './entities/refresh-token.entity.js';
import { Session } from './entities/session.entity.js';
import { JwtAuthGuard } from './guards/jwt-auth.guard.js';
import { PasswordController } from './password.controller.js';
import { BcryptProcesses, PasswordHasher, PasswordHashingGate } from './password-hasher.js';
import { PasswordPolicy } from './password-policy.js';
import { SessionsService } from './sessions.service.js';
import { SessionsPurger } from './sessions.purger.js';
import { JwtStrategy } from './strategies/jwt.strategy.js';
import { LocalStrategy } from './strategies/local.strategy.js';
import { TokenService } from './token.service.js';

@Module({
  imports: [
    UsersModule,
    MailModule,
    PassportModule,
    RateLimitModule,
    MikroOrmModule.forFeature([Session, RefreshToken, AccountToken]),
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: ({ auth }: AppConfig) => ({
        // A KeyObject built once: given a string, jsonwebtoken builds one per sign and per verify.
        secret: createSecretKey(Buffer.from(auth.jwtSecret, 'utf8')),
        signOptions: {
          algorithm: 'HS256',
          issuer: auth.issuer,
          audience: auth.audience,
          expiresIn: auth.accessTokenTtlSeconds,
        },
      }),
    }),
  ],
  controllers: [AuthController, PasswordController, AccountRecoveryController, EmailController],
  providers: [
    AuthService,
    AuthLimits,
    AccountRecoveryService,
    AccountMails,
    AccountTokensPurger,
    SessionsService,
    SessionsPurger,
    TokenService,
    PasswordHasher,
    PasswordHashingGate,
    BcryptProcesses,
    PasswordPolicy,
    LocalStrategy,
    JwtStrategy,
    JwtAuthGuard,
  ],
  exports: [JwtAuthGuard, AuthLimits],
})
export class AuthModule {}

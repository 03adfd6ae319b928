import { IsString, Length } from 'class-validator';

export class RefreshDto {
  /**
   * The refresh token of the last token pair; it is spent by this call.
   * @example 0193b5a4-7c1e-7f3a-9d2b-4b1c2d3e4f50.Zp2xW9vQ4kT7nB1mR8sL3cF6hJ0yD5aEu7Gi2Ko9Yw1
   */
  @Length(1, 256)
  @IsString()
  refreshToken!: string;
}

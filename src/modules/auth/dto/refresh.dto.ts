import { IsString, Length } from 'class-validator';

export class RefreshDto {
  /** The refresh token of the last token pair; it is spent by this call. */
  @Length(1, 256)
  @IsString()
  refreshToken!: string;
}

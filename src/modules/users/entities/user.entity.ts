import { OptionalProps } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { v7 as uuidv7 } from 'uuid';

@Entity({ tableName: 'users' })
export class User {
  [OptionalProps]?: 'id' | 'createdAt' | 'updatedAt' | 'emailVerifiedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  /** Trimmed and lower-cased on the way in, so uniqueness is case-insensitive. */
  @Property({ length: 254, unique: true })
  email!: string;

  /** When the owner last proved they read `email` (a verification or email-change link); null until then. */
  @Property({ type: 'datetime', nullable: true })
  emailVerifiedAt: Date | null = null;

  @Property({ length: 100 })
  name!: string;

  @Property({ length: 60, hidden: true, lazy: true })
  passwordHash!: string;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}

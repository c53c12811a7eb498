/**
 * The type of `@Tag()`, `@Field()` and `@Timestamp()`: callable as a legacy property decorator
 * (`experimentalDecorators`) and as a standard (TC39) field, accessor or getter decorator, so that
 * the same model compiles under either setting.
 */
export interface MemberDecorator {
  /** Legacy: `(prototype, propertyKey)`. */
  (target: object, propertyKey: string | symbol): void;
  /** TC39 field (`@Tag() host!: string`). */
  (value: undefined, context: ClassFieldDecoratorContext): void;
  /** TC39 auto-accessor (`@Tag() accessor host: string`). */
  // biome-ignore lint/suspicious/noExplicitAny: any accessor target
  (value: ClassAccessorDecoratorTarget<any, any>, context: ClassAccessorDecoratorContext): void;
  /** TC39 getter (`@Tag() get host() { … }`). */
  (value: (...args: never[]) => unknown, context: ClassGetterDecoratorContext): void;
}

/**
 * The type of `@Measurement(...)`: a legacy class decorator and a standard (TC39) one. It returns
 * the finished model class (a subclass with the same name) when the class extends `SeriesModel`.
 */
export interface ModelClassDecorator {
  // biome-ignore lint/suspicious/noExplicitAny: constructors of any argument list
  <C extends abstract new (...args: any[]) => object>(target: C): C;
  // biome-ignore lint/suspicious/noExplicitAny: constructors of any argument list
  <C extends abstract new (...args: any[]) => object>(target: C, context: ClassDecoratorContext<C>): C;
}

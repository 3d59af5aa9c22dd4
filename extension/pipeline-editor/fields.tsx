import React, { useEffect, useId, useState } from 'react';

/**
 * Form fields of the properties panel: labelled, keyboard-usable inputs that keep what the user
 * types while it is not valid (shown with its error) and commit valid values as they are typed.
 */
export interface IFieldProps<T> {
  label: string;
  value: T;
  /** Commit a valid value (called as the user types). */
  onChange: (value: T) => void;
  /** Typing in the field ended (seals the undo group). */
  onDone?: () => void;
  description?: string;
  /** Why the text cannot be committed, or null. */
  check?: (text: string) => string | null;
  placeholder?: string;
  testId?: string;
}

export function TextField(
  props: IFieldProps<string | undefined> & {
    list?: string;
    multiline?: boolean;
    /** Whether the typed text already stands for `value` (default: equal strings). */
    same?: (text: string, value: string | undefined) => boolean;
  }
): JSX.Element {
  const id = useId();
  const [text, setText] = useState(props.value ?? '');
  const same = props.same ?? ((t: string, v: string | undefined) => t === (v ?? ''));
  // Follow outside changes (undo, another field) without clobbering what is being typed.
  useEffect(() => setText(prev => (same(prev, props.value) ? prev : props.value ?? '')), [props.value]);
  const error = props.check?.(text) ?? null;
  const onText = (next: string) => {
    setText(next);
    if (!props.check?.(next)) {
      props.onChange(next === '' ? undefined : next);
    }
  };
  const common = {
    id,
    value: text,
    placeholder: props.placeholder,
    'aria-invalid': !!error,
    'aria-describedby': error || props.description ? `${id}-help` : undefined,
    'data-testid': props.testId,
    onBlur: () => props.onDone?.()
  };
  return (
    <div className="jp-Conveyor-peField">
      <label htmlFor={id}>{props.label}</label>
      {props.multiline ? (
        <textarea {...common} rows={3} className="jp-mod-styled" onChange={e => onText(e.target.value)} />
      ) : (
        <input {...common} className="jp-mod-styled" list={props.list} onChange={e => onText(e.target.value)} />
      )}
      {(error || props.description) && (
        <div id={`${id}-help`} className={error ? 'jp-Conveyor-peFieldError' : 'jp-Conveyor-peFieldHelp'}>
          {error ?? props.description}
        </div>
      )}
    </div>
  );
}

export function NumberField(
  props: IFieldProps<number | undefined> & { min?: number; max?: number; integer?: boolean }
): JSX.Element {
  const check = (text: string): string | null => {
    if (text.trim() === '') {
      return null;
    }
    const n = Number(text);
    if (!Number.isFinite(n) || (props.integer && !Number.isInteger(n))) {
      return props.integer ? 'a whole number' : 'a number';
    }
    if (props.min !== undefined && n < props.min) {
      return `at least ${props.min}`;
    }
    if (props.max !== undefined && n > props.max) {
      return `at most ${props.max}`;
    }
    return props.check?.(text) ?? null;
  };
  return (
    <TextField
      {...props}
      value={props.value === undefined ? undefined : String(props.value)}
      check={check}
      same={(t, v) => (t.trim() === '' ? v === undefined : Number(t) === Number(v))}
      onChange={t => props.onChange(t === undefined ? undefined : Number(t))}
    />
  );
}

export function CheckField(props: IFieldProps<boolean | undefined> & { defaultValue: boolean }): JSX.Element {
  const id = useId();
  return (
    <div className="jp-Conveyor-peField jp-mod-check">
      <input
        id={id}
        type="checkbox"
        checked={props.value ?? props.defaultValue}
        onChange={e => props.onChange(e.target.checked === props.defaultValue ? undefined : e.target.checked)}
      />
      <label htmlFor={id}>{props.label}</label>
      {props.description && <div className="jp-Conveyor-peFieldHelp">{props.description}</div>}
    </div>
  );
}

export function SelectField(
  props: IFieldProps<string | undefined> & { options: Array<{ value: string; label: string }> }
): JSX.Element {
  const id = useId();
  return (
    <div className="jp-Conveyor-peField">
      <label htmlFor={id}>{props.label}</label>
      <select
        id={id}
        className="jp-mod-styled"
        value={props.value ?? ''}
        data-testid={props.testId}
        onChange={e => props.onChange(e.target.value === '' ? undefined : e.target.value)}
      >
        {props.options.map(o => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {props.description && <div className="jp-Conveyor-peFieldHelp">{props.description}</div>}
    </div>
  );
}

/** A parameter value typed as JSON or YAML-ish text: `0.1`, `true`, `[1, 2]`, else a string. */
export function parseParam(text: string): unknown {
  const t = text.trim();
  if (t === '') {
    return undefined;
  }
  try {
    return JSON.parse(t);
  } catch {
    return text;
  }
}

export function formatParam(value: unknown): string {
  if (value === undefined) {
    return '';
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

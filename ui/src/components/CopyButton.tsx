import { useState } from 'react'

/** Copies `text` to the clipboard and says so. */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null)
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text)
      setCopied('yes')
    } catch {
      setCopied('failed')
    }
  }
  return (
    <button type="button" onClick={copy} aria-live="polite">
      {copied === 'yes' ? 'Copied' : copied === 'failed' ? 'Copy failed: select and copy by hand' : label}
    </button>
  )
}

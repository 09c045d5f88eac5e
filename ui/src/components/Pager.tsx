/** Previous / "first–last of total" / Next for a page of `shown` items starting at `offset`. */
export function Pager({
  offset,
  shown,
  total,
  pageSize,
  onGo,
}: {
  offset: number
  shown: number
  total: number
  pageSize: number
  onGo: (offset: number) => void
}) {
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" disabled={offset === 0} onClick={() => onGo(Math.max(0, offset - pageSize))}>
        Previous
      </button>
      <span>
        {offset + 1}–{offset + shown} of {total}
      </span>
      <button type="button" disabled={offset + shown >= total} onClick={() => onGo(offset + pageSize)}>
        Next
      </button>
    </nav>
  )
}

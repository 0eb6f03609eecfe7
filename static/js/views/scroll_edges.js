// A box that scrolls sideways says so, where overlay scrollbars (tablets, macOS) show
// nothing until touched: it carries .more-left / .more-right while some of its content
// lies past that edge (playground.css fades the edge), kept on scroll and on the box's
// resize; the function returned marks it again (its content laid out anew).

export function markOverflow(box) {
  const mark = () => {
    const hidden = box.scrollWidth - box.clientWidth;
    box.classList.toggle("more-left", box.scrollLeft > 1);
    box.classList.toggle("more-right", box.scrollLeft < hidden - 1);
  };
  box.addEventListener("scroll", mark, { passive: true });
  new ResizeObserver(mark).observe(box);
  mark();
  return mark;
}

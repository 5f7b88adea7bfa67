// The signed-in frame: skip link, top navigation (a menu button on narrow
// screens), the theme switch, the user (a link to the account page),
// sign-out and the keyboard shortcuts.
import { useState } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import { useSession } from '../auth/session';
import { Shortcuts } from './Shortcuts';
import { applyTheme, savedTheme, type Theme } from './theme';

applyTheme(savedTheme());

export function Layout() {
  const { user, logout } = useSession();
  const [menu, setMenu] = useState(false);
  const [theme, setTheme] = useState<Theme>(savedTheme);
  const { pathname } = useLocation();
  const [openedAt, setOpenedAt] = useState(pathname);
  if (menu && openedAt !== pathname) setMenu(false); // following a link closes the menu
  function pick(t: Theme) {
    setTheme(t);
    applyTheme(t);
  }
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <NavLink to="/" className="brand" end>
          Atlas
        </NavLink>
        <button
          type="button"
          className="menu-button"
          aria-expanded={menu}
          aria-controls="main-nav"
          onClick={() => {
            setMenu(!menu);
            setOpenedAt(pathname);
          }}
        >
          Menu
        </button>
        <nav aria-label="Main" id="main-nav" className={menu ? 'open' : undefined}>
          <ul>
            <li>
              <NavLink to="/" end>
                Collections
              </NavLink>
            </li>
            <li>
              <NavLink to="/search">Search</NavLink>
            </li>
            <li>
              <NavLink to="/duplicates">Duplicates</NavLink>
            </li>
            <li>
              <NavLink to="/teams">Teams</NavLink>
            </li>
            <li>
              <NavLink to="/jobs">Jobs</NavLink>
            </li>
            <li>
              <NavLink to="/audit">Activity</NavLink>
            </li>
          </ul>
        </nav>
        <div className={`user${menu ? ' open' : ''}`}>
          <label className="theme-switch">
            <span className="visually-hidden">Theme</span>
            <select value={theme} onChange={(e) => pick(e.target.value as Theme)} aria-label="Theme">
              <option value="system">System theme</option>
              <option value="light">Light</option>
              <option value="dark">Dark</option>
            </select>
          </label>
          {user && (
            <NavLink to="/account" className="user-name" title={`${user.email}: your account`}>
              {user.display_name}
            </NavLink>
          )}
          <button type="button" onClick={() => void logout()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
      <Shortcuts />
    </>
  );
}
